package io.echodb.adapters.peerdb;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.contract.MirrorControlContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * The MirrorControl contract, run against the adapter driving a simulated PeerDB ({@link FakePeerDb}). It proves the
 * adapter turns PeerDB's semantics (asynchronous drop, IF EXISTS quirks, pause/resume rules) into the contract; the
 * same contract against a real PeerDB is {@code PeerDbMirrorControlIT} (Maven profile peerdb-it).
 */
class FakePeerDbContractTest extends MirrorControlContract {

    /** Closed after all tests: the contract's own clean-up (dropping created mirrors) runs after subclass hooks. */
    private static final List<FakePeerDb> OPENED = new ArrayList<>();

    private FakePeerDb peerdb;

    @Override
    protected MirrorControl newMirrorControl() {
        try {
            peerdb = new FakePeerDb();
            OPENED.add(peerdb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PeerDbSettings s = PeerDbSettingsTest.settings(peerdb.flowApiUrl().toString(), 9900);
        PeerDbFailures failures = new PeerDbFailures(s.secrets());
        return new PeerDbMirrorControl(s, peerdb, new FlowApiClient(s.flowApi(), s.timeouts(), failures), failures,
                Clock.systemUTC(), d -> { }, TargetTableDropper.NONE);
    }

    @Override
    protected void givenSourceTable(TableRef table) {
        // the simulated PeerDB accepts any table
    }

    @AfterAll
    static void stopPeerDbs() {
        OPENED.forEach(FakePeerDb::close);
        OPENED.clear();
    }
}
