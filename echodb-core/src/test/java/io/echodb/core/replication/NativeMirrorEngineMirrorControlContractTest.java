package io.echodb.core.replication;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.contract.MirrorControlContract;
import io.echodb.core.schema.Row;
import io.echodb.core.testing.InMemoryChangeSink;
import io.echodb.core.testing.InMemoryChangeSource;
import io.echodb.core.testing.InMemoryCheckpointStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/** The shared {@link MirrorControl} contract, run against the native engine on its own threads. */
class NativeMirrorEngineMirrorControlContractTest extends MirrorControlContract {

    private static NativeMirrorEngine current;
    private InMemoryChangeSource source;

    @Override
    protected MirrorControl newMirrorControl() {
        closeCurrent();
        source = new InMemoryChangeSource();
        current = NativeMirrorEngine.builder(source, new InMemoryChangeSink(), new InMemoryCheckpointStore())
                .settings(EngineSettings.defaults().withPollTimeout(Duration.ofMillis(10)).withMaxBatchAge(Duration.ofMillis(10))
                        .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50)))
                .build();
        current.start();
        return current;
    }

    @Override
    protected void givenSourceTable(TableRef table) {
        if (source.describe(table).isEmpty()) {
            source.createTable(table, List.of(EngineFixture.ID, EngineFixture.NAME, EngineFixture.QTY), List.of("id"));
            source.insert(table, Row.of(1L, "one", 1), Row.of(2L, "two", 2));
        }
    }

    @AfterAll
    static void closeCurrent() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
