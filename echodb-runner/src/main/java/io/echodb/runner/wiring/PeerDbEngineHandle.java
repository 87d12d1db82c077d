package io.echodb.runner.wiring;

import io.echodb.adapters.peerdb.PeerDbMirrorControl;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.replication.WriteGate;
import io.echodb.runner.http.ReadinessReport.Check;

/**
 * PeerDB as the engine: PeerDB streams on its own, so leadership only decides who sends commands. Gaining
 * leadership makes sure the two peers exist (the seed's auto-setup); losing it needs nothing.
 */
final class PeerDbEngineHandle implements MirrorEngineHandle {

    private final PeerDbMirrorControl peerdb;
    private volatile boolean peersReady;

    PeerDbEngineHandle(PeerDbMirrorControl peerdb) {
        this.peerdb = peerdb;
    }

    @Override
    public MirrorControl control() {
        return peerdb;
    }

    @Override
    public void startActing(long fencingToken, WriteGate gate) {
        peerdb.ensurePeers();
        peersReady = true;
    }

    @Override
    public void stopActing() {
        // PeerDB keeps streaming; a follower simply stops sending commands.
    }

    @Override
    public Check health(boolean leader) {
        if (!leader) {
            return Check.ok("PeerDB streams on its own; this worker is a follower");
        }
        return peersReady ? Check.ok("PeerDB peers ready") : Check.failed("PeerDB peers not created yet");
    }

    @Override
    public void close() {
        // nothing held open between calls
    }
}
