package io.echodb.runner.wiring;

import io.echodb.core.service.LeaderView;
import java.util.OptionalLong;

/**
 * Leadership as the control plane should see it: leader only once the engine has started acting in the current term,
 * so a new leader starts the engine first, then reconciles, then handles DDL events.
 */
final class GatedLeaderView implements LeaderView {

    private final LeaderView leadership;
    private volatile long engineStartedInTerm = -1;

    GatedLeaderView(LeaderView leadership) {
        this.leadership = leadership;
    }

    void engineStarted(long term) {
        engineStartedInTerm = term;
    }

    void engineStopped() {
        engineStartedInTerm = -1;
    }

    @Override
    public boolean isLeader() {
        return leadership.isLeader() && engineStartedInTerm == leadership.term();
    }

    @Override
    public long term() {
        return leadership.term();
    }

    @Override
    public OptionalLong fencingToken() {
        return isLeader() ? leadership.fencingToken() : OptionalLong.empty();
    }
}
