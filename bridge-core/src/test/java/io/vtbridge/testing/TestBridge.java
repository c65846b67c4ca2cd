package io.vtbridge.testing;

import io.vtbridge.Bridge;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A fresh bridge for each test method, in the annotated field, closed after the method:
 * <pre>{@code
 * @TestBridge(shards = 2)
 * Bridge bridge;
 * }</pre>
 * The close timeout is short ({@link #closeTimeoutSeconds()}, 2 s by default): a failed test may
 * leave a task blocked, and {@code close()} must not wait its default 30 s for it.
 *
 * <p><b>Threading:</b> JUnit's: the field is set before each test method and read by it.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TestBridge.PerTest.class)
public @interface TestBridge {

    /** The bridge's shard count. */
    int shards() default 1;

    /** The bridge's in-flight bound. */
    int maxInFlight() default 10_000;

    /** How long {@code close()} after the test lets tasks run before it cancels them. */
    int closeTimeoutSeconds() default 2;

    /** The bridge's name; empty for the default. */
    String name() default "";

    /** Builds the bridges of a test instance's {@link TestBridge} fields before each test, closes them after. */
    final class PerTest implements BeforeEachCallback, AfterEachCallback {

        private static final ExtensionContext.Namespace BRIDGES = ExtensionContext.Namespace.create(PerTest.class);

        @Override
        public void beforeEach(ExtensionContext context) throws IllegalAccessException {
            Object test = context.getRequiredTestInstance();
            List<Bridge> built = new ArrayList<>();
            for (Class<?> c = test.getClass(); c != Object.class; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    TestBridge settings = field.getAnnotation(TestBridge.class);
                    if (settings == null) {
                        continue;
                    }
                    if (field.getType() != Bridge.class) {
                        throw new IllegalStateException("@TestBridge on " + field + ", which is not a Bridge");
                    }
                    var builder = Bridge.builder().shards(settings.shards()).maxInFlight(settings.maxInFlight())
                            .closeTimeout(Duration.ofSeconds(settings.closeTimeoutSeconds()));
                    if (!settings.name().isEmpty()) {
                        builder.name(settings.name());
                    }
                    Bridge bridge = builder.build();
                    built.add(bridge);
                    field.setAccessible(true);
                    field.set(test, bridge);
                }
            }
            context.getStore(BRIDGES).put(context.getUniqueId(), built);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void afterEach(ExtensionContext context) {
            List<Bridge> built = (List<Bridge>) context.getStore(BRIDGES).remove(context.getUniqueId());
            if (built != null) {
                built.forEach(Bridge::close);
            }
        }
    }
}
