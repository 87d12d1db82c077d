package io.echodb.adapters.peerdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorState;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerDbFlowStatusTest {

    @Test
    void everyPeerDbStatusMapsToTheNeutralState() {
        Map<PeerDbFlowStatus, MirrorState> expected = new EnumMap<>(PeerDbFlowStatus.class);
        expected.put(PeerDbFlowStatus.STATUS_UNKNOWN, MirrorState.CREATING);
        expected.put(PeerDbFlowStatus.STATUS_RUNNING, MirrorState.RUNNING);
        expected.put(PeerDbFlowStatus.STATUS_PAUSED, MirrorState.PAUSED);
        expected.put(PeerDbFlowStatus.STATUS_PAUSING, MirrorState.PAUSED);
        expected.put(PeerDbFlowStatus.STATUS_SETUP, MirrorState.CREATING);
        expected.put(PeerDbFlowStatus.STATUS_SNAPSHOT, MirrorState.SNAPSHOTTING);
        expected.put(PeerDbFlowStatus.STATUS_TERMINATING, MirrorState.DROPPING);
        expected.put(PeerDbFlowStatus.STATUS_TERMINATED, MirrorState.DROPPING);
        expected.put(PeerDbFlowStatus.STATUS_COMPLETED, MirrorState.FAILED);
        expected.put(PeerDbFlowStatus.STATUS_RESYNC, MirrorState.SNAPSHOTTING);
        expected.put(PeerDbFlowStatus.STATUS_FAILED, MirrorState.FAILED);
        expected.put(PeerDbFlowStatus.STATUS_MODIFYING, MirrorState.RUNNING);

        for (PeerDbFlowStatus s : PeerDbFlowStatus.values()) {
            assertThat(s.state()).as(s.name()).isEqualTo(expected.get(s));
        }
        assertThat(expected).hasSize(PeerDbFlowStatus.values().length);
    }

    @Test
    void parsesProtoNamesAndNumbersInProtoOrder() {
        // numbers from protos/flow.proto: RUNNING = 1, PAUSED = 2, ..., FAILED = 10, MODIFYING = 11
        assertThat(PeerDbFlowStatus.parse("STATUS_RUNNING")).isEqualTo(PeerDbFlowStatus.STATUS_RUNNING);
        assertThat(PeerDbFlowStatus.parse("1")).isEqualTo(PeerDbFlowStatus.STATUS_RUNNING);
        assertThat(PeerDbFlowStatus.parse("5")).isEqualTo(PeerDbFlowStatus.STATUS_SNAPSHOT);
        assertThat(PeerDbFlowStatus.parse("10")).isEqualTo(PeerDbFlowStatus.STATUS_FAILED);
        assertThat(PeerDbFlowStatus.parse("11")).isEqualTo(PeerDbFlowStatus.STATUS_MODIFYING);
    }

    @Test
    void anythingUnrecognisedIsUnknown() {
        assertThat(PeerDbFlowStatus.parse(null)).isEqualTo(PeerDbFlowStatus.STATUS_UNKNOWN);
        assertThat(PeerDbFlowStatus.parse("")).isEqualTo(PeerDbFlowStatus.STATUS_UNKNOWN);
        assertThat(PeerDbFlowStatus.parse("STATUS_FROM_THE_FUTURE")).isEqualTo(PeerDbFlowStatus.STATUS_UNKNOWN);
        assertThat(PeerDbFlowStatus.parse("99")).isEqualTo(PeerDbFlowStatus.STATUS_UNKNOWN);
        assertThat(PeerDbFlowStatus.parse("123456789012")).isEqualTo(PeerDbFlowStatus.STATUS_UNKNOWN);
        assertThat(PeerDbFlowStatus.parse("status_running")).isEqualTo(PeerDbFlowStatus.STATUS_UNKNOWN);
    }
}
