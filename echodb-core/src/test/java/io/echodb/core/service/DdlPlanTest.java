package io.echodb.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.TableRef;
import io.echodb.core.service.DdlPlan.Action;
import io.echodb.core.service.DdlPlan.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DdlPlanTest {

    private final List<DdlEvent> batch = new ArrayList<>();

    private static TableRef t(String name) {
        return TableRef.of("public", name);
    }

    private DdlPlanTest created(String name) {
        batch.add(new DdlEvent.TableCreated(batch.size() + 1, t(name), Instant.EPOCH));
        return this;
    }

    private DdlPlanTest dropped(String name) {
        batch.add(new DdlEvent.TableDropped(batch.size() + 1, t(name), Instant.EPOCH));
        return this;
    }

    private DdlPlanTest rewritten(String name) {
        batch.add(new DdlEvent.TableRewritten(batch.size() + 1, t(name), Instant.EPOCH, "test"));
        return this;
    }

    private DdlPlanTest renamed(String from, String to) {
        batch.add(new DdlEvent.TableRenamed(batch.size() + 1, t(from), t(to), Instant.EPOCH));
        return this;
    }

    private Map<String, String> plan() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<TableRef, Step> e : DdlPlan.of(batch).entrySet()) {
            Step s = e.getValue();
            out.put(e.getKey().name(), s.action() + (s.from() == null ? "" : " from " + s.from().name()));
        }
        return out;
    }

    @Test
    void aRenameIsOneStepUnderTheNewNameAndAChainKeepsTheOrigin() {
        assertThat(renamed("a", "b").plan()).containsExactly(Map.entry("b", "RENAME from a"));
        batch.clear();
        assertThat(renamed("a", "b").renamed("b", "c").plan()).containsExactly(Map.entry("c", "RENAME from a"));
        batch.clear();
        assertThat(renamed("a", "b").renamed("b", "a").plan()).containsExactly(Map.entry("a", "ENSURE"));
    }

    @Test
    void aTableCreatedAndRenamedInTheBatchIsCreatedUnderItsNewName() {
        assertThat(created("a").renamed("a", "b").plan()).containsOnly(Map.entry("a", "DROP"), Map.entry("b", "ENSURE"));
    }

    @Test
    void renamedThenDroppedOrRewrittenDropsTheOldMirror() {
        assertThat(renamed("a", "b").dropped("b").plan()).containsOnly(Map.entry("a", "DROP"), Map.entry("b", "DROP"));
        batch.clear();
        assertThat(renamed("a", "b").rewritten("b").plan()).containsOnly(Map.entry("a", "DROP"), Map.entry("b", "RESYNC"));
    }

    @Test
    void aRenameOntoANameTouchedInTheBatchOrASwapIsADropAndACreate() {
        assertThat(dropped("b").renamed("a", "b").plan()).containsExactly(Map.entry("b", "RECREATE"), Map.entry("a", "DROP"));
        batch.clear();
        assertThat(renamed("a", "tmp").renamed("b", "a").renamed("tmp", "b").plan())
                .containsOnly(Map.entry("a", "RECREATE"), Map.entry("tmp", "DROP"), Map.entry("b", "RECREATE"));
        batch.clear();
        assertThat(renamed("a", "b").renamed("c", "a").plan())
                .containsOnly(Map.entry("a", "RECREATE"), Map.entry("b", "ENSURE"), Map.entry("c", "DROP"));
    }

    /** Schema chaos, seed 20261202: a swap, then a rewrite of one of the swapped names, in one batch. */
    @Test
    void aSwapFollowedByARewriteCopiesBothTables() {
        assertThat(renamed("t20", "t35").renamed("t26", "t20").renamed("t35", "t26").rewritten("t26").plan())
                .containsOnly(Map.entry("t20", "RECREATE"), Map.entry("t35", "DROP"), Map.entry("t26", "RECREATE"));
    }

    /** Schema chaos, seed 592267200: the rewrite must reach the mirror that may already follow the new name. */
    @Test
    void aRewriteBeforeARenameGoesWithTheTable() {
        assertThat(rewritten("a").renamed("a", "b").plan()).containsOnly(Map.entry("a", "DROP"), Map.entry("b", "RESYNC"));
        batch.clear();
        assertThat(rewritten("a").renamed("a", "b").renamed("b", "c").plan())
                .containsOnly(Map.entry("a", "DROP"), Map.entry("b", "DROP"), Map.entry("c", "RESYNC"));
    }
}
