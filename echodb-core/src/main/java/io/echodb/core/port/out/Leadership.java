package io.echodb.core.port.out;

import io.echodb.core.model.Lease;
import java.time.Duration;
import java.util.Optional;

/**
 * Driven: one leadership lease shared by all workers; each call is a single blocking round-trip bounded by the
 * adapter's timeout; never returns null. Tokens grow with every acquisition so stale leaders can be fenced.
 */
public interface Leadership {

    /** This worker's identity. */
    String workerId();

    /** Takes the lease if free (or already ours); empty when another worker holds it. */
    Optional<Lease> tryAcquire(Duration ttl);

    /** Extends our lease; empty when it was lost (expired or taken), in which case we must stop acting. */
    Optional<Lease> renew(Lease lease, Duration ttl);

    /** Gives the lease up if we still hold it; no-op otherwise. */
    void release(Lease lease);
}
