package io.echodb.runner.console;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.TableRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The latest consistency result of each table, whoever asked for it (schedule, after a copy, the API). Thread-safe. */
public final class LastChecks {

    private final Map<TableRef, ConsistencyReport> latest = new ConcurrentHashMap<>();

    public void record(ConsistencyReport report) {
        latest.merge(report.table(), report, (old, now) -> now.timestamp().isBefore(old.timestamp()) ? old : now);
    }

    /** By table name. */
    public List<ConsistencyReport> all() {
        List<ConsistencyReport> out = new ArrayList<>(latest.values());
        out.sort(Comparator.comparing(r -> r.table().qualified()));
        return out;
    }
}
