package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.in.MirrorNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contract of {@link MirrorControl}, run against every mirror engine (in-memory, native, PeerDB). Tests use fresh
 * table names and look only at their own mirrors, so an engine shared with other mirrors is fine; mirrors created
 * by a test are dropped after it.
 */
public abstract class MirrorControlContract {

    protected MirrorControl mirrors;
    private final List<MirrorName> created = new ArrayList<>();

    /** The engine under test; called before each test. */
    protected abstract MirrorControl newMirrorControl();

    /** Makes sure the source table exists, with a primary key, so that a mirror of it can run. */
    protected abstract void givenSourceTable(TableRef table);

    /** Schema of the source tables the tests use. */
    protected String sourceSchema() {
        return "public";
    }

    /** How long an asynchronous engine may take to reach a requested state. */
    protected Duration settleTimeout() {
        return Duration.ofSeconds(60);
    }

    @BeforeEach
    void openEngine() {
        mirrors = newMirrorControl();
    }

    @AfterEach
    void dropCreatedMirrors() {
        for (MirrorName name : created) {
            mirrors.drop(name, true);
        }
    }

    @Test
    void createReturnsTheStatusOfTheSpecAndListsIt() {
        MirrorSpec spec = spec();
        MirrorStatus status = create(spec);

        assertThat(status.spec()).isEqualTo(spec);
        assertThat(status.state()).isNotIn(MirrorState.FAILED, MirrorState.UNSUPPORTED, MirrorState.DROPPING);
        assertThat(mirrors.status(spec.name())).map(MirrorStatus::spec).contains(spec);
        assertThat(mirrors.list()).extracting(MirrorStatus::name).contains(spec.name());
    }

    @Test
    void creatingAnExistingMirrorIsANoop() {
        MirrorSpec spec = spec();
        create(spec);
        MirrorStatus again = mirrors.create(spec);

        assertThat(again.spec()).isEqualTo(spec);
        assertThat(mirrors.list()).filteredOn(s -> s.name().equals(spec.name())).hasSize(1);
    }

    @Test
    void creatingAnExistingMirrorLeavesItsStateAlone() {
        MirrorSpec spec = spec();
        create(spec);
        awaitState(spec.name(), s -> s == MirrorState.RUNNING);
        mirrors.pause(spec.name());
        awaitState(spec.name(), s -> s == MirrorState.PAUSED);

        mirrors.create(spec);

        assertThat(mirrors.status(spec.name())).map(MirrorStatus::state).contains(MirrorState.PAUSED);
    }

    @Test
    void dropRemovesTheMirror() {
        MirrorSpec spec = spec();
        create(spec);
        mirrors.drop(spec.name(), true);

        assertThat(mirrors.status(spec.name())).isEmpty();
        assertThat(mirrors.list()).extracting(MirrorStatus::name).doesNotContain(spec.name());
    }

    @Test
    void droppingAMissingMirrorIsANoop() {
        MirrorName missing = new MirrorName(ContractNames.unique("nothing") + "_mirror");
        mirrors.drop(missing, false);
        mirrors.drop(missing, true);

        assertThat(mirrors.status(missing)).isEmpty();
    }

    @Test
    void aDroppedMirrorCanBeCreatedAgain() {
        MirrorSpec spec = spec();
        create(spec);
        mirrors.drop(spec.name(), true);
        create(spec);

        assertThat(mirrors.status(spec.name())).isPresent();
    }

    @Test
    void pauseAndResumeOfAnUnknownMirrorThrowNotFound() {
        MirrorName missing = new MirrorName(ContractNames.unique("nothing") + "_mirror");

        assertThatThrownBy(() -> mirrors.pause(missing)).isInstanceOf(MirrorNotFoundException.class)
                .hasMessageContaining(missing.value());
        assertThatThrownBy(() -> mirrors.resume(missing)).isInstanceOf(MirrorNotFoundException.class)
                .hasMessageContaining(missing.value());
    }

    @Test
    void pauseStopsAndResumeRestartsARunningMirror() {
        MirrorSpec spec = spec();
        create(spec);
        awaitState(spec.name(), s -> s == MirrorState.RUNNING);

        mirrors.pause(spec.name());
        awaitState(spec.name(), s -> s == MirrorState.PAUSED);
        mirrors.resume(spec.name());
        awaitState(spec.name(), MirrorState::isActive);
    }

    @Test
    void listIsSortedByName() {
        String base = ContractNames.unique("mc");
        List<MirrorSpec> specs = List.of(spec(base + "_c"), spec(base + "_a"), spec(base + "_b"));
        specs.forEach(this::create);

        List<MirrorStatus> all = mirrors.list();
        assertThat(all).extracting(MirrorStatus::name).isSortedAccordingTo(Comparator.naturalOrder());
        assertThat(all).extracting(MirrorStatus::name).containsSubsequence(
                specs.get(1).name(), specs.get(2).name(), specs.get(0).name());
    }

    @Test
    void statusOfAnUnknownMirrorIsEmpty() {
        assertThat(mirrors.status(new MirrorName(ContractNames.unique("nothing") + "_mirror"))).isEmpty();
    }

    // --- helpers

    protected MirrorSpec spec() {
        return spec(ContractNames.unique("mc"));
    }

    protected MirrorSpec spec(String tableName) {
        TableRef table = TableRef.of(sourceSchema(), tableName);
        return new MirrorSpec(MirrorName.forTable(table, false), table, tableName);
    }

    protected MirrorStatus create(MirrorSpec spec) {
        givenSourceTable(spec.source());
        MirrorStatus status = mirrors.create(spec);
        created.add(spec.name());
        return status;
    }

    protected MirrorStatus awaitState(MirrorName name, Predicate<MirrorState> wanted) {
        long deadline = System.nanoTime() + settleTimeout().toNanos();
        while (true) {
            Optional<MirrorStatus> status = mirrors.status(name);
            if (status.isPresent() && wanted.test(status.get().state())) {
                return status.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("mirror " + name + " did not reach the expected state within "
                        + settleTimeout() + "; last status: " + status);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
