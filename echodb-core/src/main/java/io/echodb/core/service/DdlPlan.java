package io.echodb.core.service;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.TableRef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds a batch of DDL events into one net step per table, in order of first appearance. A table created and
 * dropped within the batch (a migration's scratch table) is never mirrored; a table dropped and created again is
 * re-mirrored from scratch, because the existing mirror belongs to the old table. A rename (or a chain of them) is one
 * {@link Action#RENAME} step under the final name that remembers the original one, so the mirror can follow the table
 * without copying it — but only for a clean chain: a rename tangled with other DDL on the same names in the batch (a
 * swap, a name dropped, created or rewritten) keeps the safe reading, the old mirror dropped and a new one created.
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
        RESYNC("resync"),
        /** The table was renamed from {@link Step#from}: its mirror follows it. */
        RENAME("rename");

        private final String verb;

        Action(String verb) {
            this.verb = verb;
        }

        /** For messages: "create mirror of public.users". */
        String verb() {
            return verb;
        }
    }

    /** What to do for one table; {@code from} is the name before the renames (RENAME only, else null). */
    record Step(Action action, TableRef from) {

        static Step of(Action action) {
            return new Step(action, null);
        }
    }

    private DdlPlan() {
    }

    static Map<TableRef, Step> of(List<DdlEvent> batch) {
        Map<TableRef, Step> plan = new LinkedHashMap<>();
        for (DdlEvent event : batch) {
            if (event instanceof DdlEvent.TableCreated c) {
                created(plan, c.table());
            } else if (event instanceof DdlEvent.TableDropped d) {
                plan.put(d.table(), Step.of(Action.DROP));
            } else if (event instanceof DdlEvent.TableAltered a) {
                plan.putIfAbsent(a.table(), Step.of(Action.ENSURE));
            } else if (event instanceof DdlEvent.TableRewritten w) {
                // A mirror created in this batch copies after the DDL anyway; an existing one must copy again.
                Step before = plan.get(w.table());
                Action action = before == null ? null : before.action();
                plan.put(w.table(), action == Action.DROP || action == Action.RECREATE ? before : Step.of(Action.RESYNC));
            } else if (event instanceof DdlEvent.TableRenamed r) {
                // The safe reading first: the old table leaves, a new one arrives (clean chains are upgraded below).
                Step before = plan.get(r.from());
                plan.put(r.from(), Step.of(Action.DROP));
                created(plan, r.table());
                if (before != null && before.action() == Action.RESYNC && plan.get(r.table()).action() == Action.ENSURE) {
                    // The rewrite goes with the table: a mirror that already follows it under the new name (the
                    // reconciler lets mirrors follow renames) must copy again, not be merely ensured.
                    plan.put(r.table(), Step.of(Action.RESYNC));
                }
            }
        }
        followCleanRenames(batch, plan);
        return plan;
    }

    /**
     * Upgrades each clean chain of renames (origin → … → final) to one RENAME step: clean when no name of the chain
     * belongs to another chain (a swap, a rotation) and none was created, dropped or rewritten in the batch.
     */
    private static void followCleanRenames(List<DdlEvent> batch, Map<TableRef, Step> plan) {
        Map<TableRef, TableRef> originOfCurrent = new LinkedHashMap<>();
        Map<TableRef, Set<TableRef>> namesOfChain = new LinkedHashMap<>();
        Map<TableRef, TableRef> chainOfName = new HashMap<>();
        Set<TableRef> dirty = new HashSet<>();
        Set<TableRef> touched = new HashSet<>();
        for (DdlEvent event : batch) {
            if (event instanceof DdlEvent.TableRenamed r) {
                TableRef origin = originOfCurrent.containsKey(r.from()) ? originOfCurrent.remove(r.from()) : r.from();
                originOfCurrent.put(r.table(), origin);
                Set<TableRef> names = namesOfChain.computeIfAbsent(origin, o -> new HashSet<>());
                for (TableRef name : List.of(r.from(), r.table())) {
                    names.add(name);
                    TableRef owner = chainOfName.putIfAbsent(name, origin);
                    if (owner != null && !owner.equals(origin)) {
                        dirty.add(owner);
                        dirty.add(origin);
                    }
                }
            } else if (!(event instanceof DdlEvent.TableAltered)) {
                touched.add(event.table());
            }
        }
        for (Map.Entry<TableRef, TableRef> chain : originOfCurrent.entrySet()) {
            TableRef last = chain.getKey();
            TableRef origin = chain.getValue();
            Set<TableRef> names = namesOfChain.get(origin);
            if (dirty.contains(origin) || names.stream().anyMatch(touched::contains)) {
                continue;
            }
            names.forEach(plan::remove);
            plan.put(last, origin.equals(last) ? Step.of(Action.ENSURE) : new Step(Action.RENAME, origin));
        }
    }

    private static void created(Map<TableRef, Step> plan, TableRef table) {
        Step before = plan.get(table);
        Action action = before == null ? null : before.action();
        plan.put(table, Step.of(action == Action.DROP || action == Action.RECREATE ? Action.RECREATE : Action.ENSURE));
    }
}
