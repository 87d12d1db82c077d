package io.echodb.core.service;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.TableRef;
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
 * without copying it; a rename tangled with other DDL on the same names in the batch (a swap through a third name is
 * fine, a name dropped and reused is not) falls back to dropping the old mirror and creating a new one.
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
                Step before = plan.get(d.table());
                if (before != null && before.action() == Action.RENAME) {
                    plan.put(before.from(), Step.of(Action.DROP));
                }
                plan.put(d.table(), Step.of(Action.DROP));
            } else if (event instanceof DdlEvent.TableAltered a) {
                plan.putIfAbsent(a.table(), Step.of(Action.ENSURE));
            } else if (event instanceof DdlEvent.TableRewritten w) {
                rewritten(plan, w.table());
            } else if (event instanceof DdlEvent.TableRenamed r) {
                renamed(plan, r.from(), r.table());
            }
        }
        untangle(plan);
        return plan;
    }

    /**
     * A rename onto a name another renamed mirror still holds (a swap, a rotation) cannot be done one mirror at a time:
     * such tables are copied again under their new names instead.
     */
    private static void untangle(Map<TableRef, Step> plan) {
        Set<TableRef> origins = new HashSet<>();
        plan.values().forEach(s -> {
            if (s.action() == Action.RENAME) {
                origins.add(s.from());
            }
        });
        for (Map.Entry<TableRef, Step> e : List.copyOf(plan.entrySet())) {
            Step s = e.getValue();
            if (s.action() == Action.RENAME && origins.contains(e.getKey())) {
                plan.put(e.getKey(), Step.of(Action.RECREATE));
                plan.putIfAbsent(s.from(), Step.of(Action.DROP));
            }
        }
    }

    private static void rewritten(Map<TableRef, Step> plan, TableRef table) {
        Step before = plan.get(table);
        if (before != null && before.action() == Action.RENAME) {
            // Copied again anyway: the old mirror goes, the table gets a new one.
            plan.remove(table);
            plan.put(before.from(), Step.of(Action.DROP));
            created(plan, table);
            return;
        }
        // A mirror created in this batch copies after the DDL anyway; an existing one must copy again.
        Action action = before == null ? null : before.action();
        plan.put(table, action == Action.DROP || action == Action.RECREATE ? before : Step.of(Action.RESYNC));
    }

    private static void renamed(Map<TableRef, Step> plan, TableRef from, TableRef to) {
        Step before = plan.remove(from);
        Action action = before == null ? null : before.action();
        boolean untangled = !plan.containsKey(to) && (action == null || action == Action.ENSURE || action == Action.RENAME);
        if (untangled) {
            TableRef origin = action == Action.RENAME ? before.from() : from;
            plan.put(to, origin.equals(to) ? Step.of(Action.ENSURE) : new Step(Action.RENAME, origin));
            return;
        }
        if (action == Action.RENAME) {
            plan.put(before.from(), Step.of(Action.DROP));
        }
        plan.put(from, Step.of(Action.DROP));
        created(plan, to);
    }

    private static void created(Map<TableRef, Step> plan, TableRef table) {
        Step before = plan.get(table);
        Action action = before == null ? null : before.action();
        plan.put(table, Step.of(action == Action.DROP || action == Action.RECREATE ? Action.RECREATE : Action.ENSURE));
    }
}
