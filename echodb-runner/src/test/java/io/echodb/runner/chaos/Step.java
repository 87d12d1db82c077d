package io.echodb.runner.chaos;

import java.util.List;
import java.util.Set;

/**
 * One unit of work the run executes: application SQL (each statement in autocommit, or all in one transaction that
 * commits or rolls back), or an action on the worker (stop, kill, start, resync a mirror).
 *
 * @param family the operation family that produced it
 * @param kind   how it runs
 * @param sql    the statements (empty for worker actions)
 * @param tables qualified names of the tables it touches (for per-table logs in violation reports)
 * @param target the mirror name, for {@link Kind#RESYNC}; the milliseconds of {@link Kind#PAUSE}; the parameter of a
 *               {@link Kind#FAULT} (milliseconds, or the way the leader goes)
 */
record Step(ChaosOp family, Kind kind, List<String> sql, Set<String> tables, String target) {

    enum Kind {
        AUTOCOMMIT,
        TRANSACTION,
        ROLLBACK,
        STOP_WORKER,
        KILL_WORKER,
        START_WORKER,
        RESYNC,
        /** Wait {@code target} milliseconds (let the engine write what it has before a fault). */
        PAUSE,
        /** A fault of the family's kind while the worker runs (ClickHouse stall or cut, PostgreSQL restart, leader change). */
        FAULT
    }

    static Step autocommit(ChaosOp family, Set<String> tables, List<String> sql) {
        return new Step(family, Kind.AUTOCOMMIT, List.copyOf(sql), Set.copyOf(tables), null);
    }

    static Step tx(ChaosOp family, Set<String> tables, List<String> sql) {
        return new Step(family, sql.size() == 1 ? Kind.AUTOCOMMIT : Kind.TRANSACTION, List.copyOf(sql), Set.copyOf(tables), null);
    }

    static Step rollback(ChaosOp family, Set<String> tables, List<String> sql) {
        return new Step(family, Kind.ROLLBACK, List.copyOf(sql), Set.copyOf(tables), null);
    }

    static Step worker(ChaosOp family, Kind kind) {
        return new Step(family, kind, List.of(), Set.of(), null);
    }

    static Step resync(ChaosOp family, String table, String mirror) {
        return new Step(family, Kind.RESYNC, List.of(), Set.of(table), mirror);
    }

    static Step pause(ChaosOp family, long millis) {
        return new Step(family, Kind.PAUSE, List.of(), Set.of(), Long.toString(millis));
    }

    static Step fault(ChaosOp family, String parameter) {
        return new Step(family, Kind.FAULT, List.of(), Set.of(), parameter);
    }

    boolean isSql() {
        return kind == Kind.AUTOCOMMIT || kind == Kind.TRANSACTION || kind == Kind.ROLLBACK;
    }

    /** One line for logs. */
    String describe() {
        return switch (kind) {
            case AUTOCOMMIT -> String.join(";\n", sql) + ";";
            case TRANSACTION -> "BEGIN;\n" + String.join(";\n", sql) + ";\nCOMMIT;";
            case ROLLBACK -> "BEGIN;\n" + String.join(";\n", sql) + ";\nROLLBACK;";
            case STOP_WORKER -> "-- stop the worker (graceful)";
            case KILL_WORKER -> "-- kill the worker (all connections reset)";
            case START_WORKER -> "-- start a new worker";
            case RESYNC -> "-- POST /mirrors/" + target + "/resync";
            case PAUSE -> "-- pause " + target + " ms";
            case FAULT -> "-- fault " + family.id() + " (" + target + ")";
        };
    }
}
