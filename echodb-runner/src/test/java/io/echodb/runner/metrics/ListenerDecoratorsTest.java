package io.echodb.runner.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.replication.EngineListener;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every listener that wraps another must pass on every callback: one it does not override falls to the interface's
 * empty default and is lost for everything behind it. (The engine's SafeListener did not pass on slotRecreated, so
 * echodb_slot_recreated_total never rose and the console never showed a recreated slot.)
 */
class ListenerDecoratorsTest {

    @ParameterizedTest
    @ValueSource(strings = {"io.echodb.core.replication.SafeListener", "io.echodb.runner.console.FeedingEngineListener",
            "io.echodb.runner.wiring.SnapshotCompletionCheck", "io.echodb.runner.metrics.MicrometerEngineListener"})
    void overridesEveryCallback(String className) throws Exception {
        Class<?> decorator = Class.forName(className);
        List<String> missing = new ArrayList<>();
        for (Method m : EngineListener.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isSynthetic()) {
                continue;
            }
            try {
                decorator.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.getName());
            }
        }
        assertThat(missing).as("callbacks %s does not override", decorator.getSimpleName()).isEmpty();
    }
}
