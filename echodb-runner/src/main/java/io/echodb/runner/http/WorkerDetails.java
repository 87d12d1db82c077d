package io.echodb.runner.http;

import java.util.Objects;

/** What the console shows about a worker besides its snapshot: engine, leadership kind, and term while leading (else null). */
public record WorkerDetails(String engine, String leadership, Long term) {

    public WorkerDetails {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(leadership, "leadership");
    }
}
