package io.echodb.core.port.contract;

import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.testing.InMemoryChangeSink;
import java.util.List;
import java.util.Map;

class InMemoryChangeSinkContractTest extends ChangeSinkContract {

    private InMemoryChangeSink fake;

    @Override
    protected ChangeSink createSink() {
        fake = new InMemoryChangeSink();
        return fake;
    }

    @Override
    protected List<Map<String, Object>> multisetRows(String target) {
        return fake.multisetRows(target);
    }

    @Override
    protected List<Map<String, Object>> finalRows(String target) {
        return fake.finalRows(target);
    }
}
