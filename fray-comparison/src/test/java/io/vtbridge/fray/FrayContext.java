package io.vtbridge.fray;

import io.vtbridge.samples.stress.PlatformContext;
import io.vtbridge.stress.StressScenario;

/**
 * How the planted scenarios run under Fray: on a {@link PlatformContext} (each {@code fork} a platform
 * thread, which Fray controls like every thread of the test JVM; {@code point()} is
 * {@code Thread.yield()}, which Fray 0.9.2 does not make a scheduling point of its own, and the
 * scenarios do not call it; time is the JVM's), the scenario's own body in the calling thread: the
 * test method's, as a {@code @ConcurrencyTest} body.
 *
 * <p><b>Threading:</b> one context per iteration.
 */
final class FrayContext {

    private FrayContext() {
    }

    /** Runs {@code scenario} once, its body on the current thread; rethrows what failed it. */
    static void run(StressScenario scenario) throws Throwable {
        PlatformContext ctx = new PlatformContext("fray");
        try {
            scenario.run(ctx);
        } finally {
            for (Thread t : ctx.threads()) {
                t.join(); // the scenarios join their threads; this only makes sure, before the next iteration
            }
        }
        if (ctx.failure() != null) {
            throw ctx.failure();
        }
    }
}
