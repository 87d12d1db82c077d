package io.echodb.core.service;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.TableRef;
import java.time.Instant;
import java.util.Objects;

/** The outcome of checking one mirrored table in {@link ConsistencyChecker#checkAll()}. */
public sealed interface TableCheck {

    TableRef table();

    /** Both sides were counted. */
    record Checked(ConsistencyReport report) implements TableCheck {
        public Checked {
            Objects.requireNonNull(report, "report");
        }

        @Override
        public TableRef table() {
            return report.table();
        }
    }

    /** The engine refused the table (e.g. no primary key); nothing to compare. */
    record NotMirrored(TableRef table, MirrorName mirror, String reason, Instant at) implements TableCheck {
        public NotMirrored {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(mirror, "mirror");
            Objects.requireNonNull(at, "at");
        }
    }

    /** Counting failed (a side unreachable, the target table missing, ...). */
    record Failed(TableRef table, MirrorName mirror, String error, Instant at) implements TableCheck {
        public Failed {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(mirror, "mirror");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(at, "at");
        }
    }
}
