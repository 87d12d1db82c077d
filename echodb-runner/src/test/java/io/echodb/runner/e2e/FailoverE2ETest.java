package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.await;
import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.runner.EchoDbApplication;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two workers with Redis leadership (TTL 3 s, interval 1 s). The leader crashes without releasing its lease; the
 * other takes over once the lease expires, and a table created during the failover is still mirrored.
 */
class FailoverE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private final Stack stack = new Stack("e2e_failover");

    @AfterEach
    void cleanUp() {
        stack.close();
    }

    private boolean leads(EchoDbApplication app) {
        return stack.get(app, "/metrics").get("is_leader").asBoolean();
    }

    @Test
    void theFollowerTakesOverAfterTheLeaderCrashes() {
        stack.sql("CREATE TABLE events (id int PRIMARY KEY, kind text)", "INSERT INTO events VALUES (1, 'boot')");
        EchoDbApplication a = stack.start(stack.env("failover-a", "redis"));
        EchoDbApplication b = stack.start(stack.env("failover-b", "redis"));

        EchoDbApplication leader = await(WAIT, "a leader", () -> leads(a) ? a : leads(b) ? b : null);
        EchoDbApplication follower = leader == a ? b : a;
        assertThat(leads(follower)).isFalse();
        eventually(WAIT, () -> assertThat(stack.chFinal("events", "id, kind")).containsExactly(List.of("1", "boot")));
        assertThat(stack.get(follower, "/ready").get("ready").asBoolean()).as("a follower is ready to take over").isTrue();
        assertThat(stack.get(follower, "/mirrors").get("count").asInt()).as("followers read the leader's mirrors").isEqualTo(1);

        long crashedAt = System.nanoTime();
        leader.halt();
        // DDL and data during the failover: nobody leads until the crashed leader's lease expires
        stack.sql("CREATE TABLE during_failover (id int PRIMARY KEY, note text)",
                "INSERT INTO during_failover VALUES (1, 'written while nobody led')",
                "INSERT INTO events VALUES (2, 'failover')");

        // the lease outlives the crash by at most the TTL; the follower tries every interval
        Duration bound = TTL.plus(INTERVAL).plus(Duration.ofSeconds(2));
        await(bound, "the follower to take over", () -> leads(follower) ? Boolean.TRUE : null);
        long tookOverMs = (System.nanoTime() - crashedAt) / 1_000_000;
        System.out.println("failover: follower led " + tookOverMs + " ms after the crash");

        eventually(WAIT, () -> {
            assertThat(stack.chFinal("during_failover", "id, note")).containsExactly(List.of("1", "written while nobody led"));
            assertThat(stack.chFinal("events", "id, kind")).containsExactly(List.of("1", "boot"), List.of("2", "failover"));
            assertThat(stack.mirrorNames(follower)).containsExactly("during_failover_mirror", "events_mirror");
        });
        assertThat(stack.get(follower, "/ready").get("ready").asBoolean()).isTrue();
    }
}
