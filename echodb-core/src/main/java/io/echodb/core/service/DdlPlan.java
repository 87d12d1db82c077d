package io.echodb.core.service;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.TableRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds a batch of DDL events into one net action per table, in order of first appearance. A table created and
 * dropped within the batch (a migration's scratch table) is never mirrored; a table dropped and created again is
 * re-mirrored from scratch, because the existing mirror belongs to the old table.
 */
final class DdlPlan {

    enum Action {
        /** The table exists (created or altered): make sure it has a mirror. */
        ENSURE("create"),
        /** The table is gone: drop its mirror. */
        DROP("drop"),
        /** The table was replaced by a new one of the same name: drop the old mirror, then create one. */
        RECREATE("re-create"),
        /** DDL changed existing rows without row changes: make sure the table has a mirror and copy it again. */
        RESYNC("resync");

        private final String verb;

        Action(String verb) {
            this.verb = verb;
        }

        /** For messages: "create mirror of public.users". */
        String verb() {
            return verb;
        }
    }

    private DdlPlan() {
    }

    static Map<TableRef, Action> of(List<DdlEvent> batch) {
        Map<TableRef, Action> plan = new LinkedHashMap<>();
        for (DdlEvent event : batch) {
            if (event instanceof DdlEvent.TableCreated c) {
                created(plan, c.table());
            } else if (event instanceof DdlEvent.TableDropped d) {
                plan.put(d.table(), Action.DROP);
            } else if (event instanceof DdlEvent.TableAltered a) {
                plan.putIfAbsent(a.table(), Action.ENSURE);
            } else if (event instanceof DdlEvent.TableRewritten w) {
                // A mirror created in this batch copies after the DDL anyway; an existing one must copy again.
                Action before = plan.get(w.table());
                plan.put(w.table(), before == Action.DROP || before == Action.RECREATE ? before : Action.RESYNC);
            } else if (event instanceof DdlEvent.TableRenamed r) {
                // No engine can rename a mirror in place, so a rename is the old table leaving and a new one arriving.
                plan.put(r.from(), Action.DROP);
                created(plan, r.table());
            }
        }
        return plan;
    }

    private static void created(Map<TableRef, Action> plan, TableRef table) {
        Action before = plan.get(table);
        plan.put(table, before == Action.DROP || before == Action.RECREATE ? Action.RECREATE : Action.ENSURE);
    }
}
