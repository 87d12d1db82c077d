package io.echodb.core.replication;

import java.util.Objects;

/**
 * What the classes applying one stream session share: the engine's environment, the mirrors, the session's versions,
 * routes and buffers, the failure policy, the life cycle and the acknowledgement. Built once by {@link StreamApplier}.
 */
record StreamContext(EngineEnv env, MirrorRegistry registry, VersionAssigner versions, ChangeRouter router,
        ChangeBuffers buffers, MirrorGuard guard, MirrorStates states, AckTracker ack) {

    StreamContext {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(versions, "versions");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(buffers, "buffers");
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(states, "states");
        Objects.requireNonNull(ack, "ack");
    }
}
