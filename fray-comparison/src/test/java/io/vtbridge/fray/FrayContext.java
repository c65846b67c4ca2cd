package io.vtbridge.fray;

import io.vtbridge.stress.StressContext;
import io.vtbridge.stress.StressScenario;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link StressContext} the planted scenarios get under Fray: {@link #fork} starts a platform
 * thread (Fray controls every thread of the test JVM), {@link #point} is {@code Thread.yield()}, as on
 * plain platform threads (Fray 0.9.2 does not make it a scheduling point of its own; the scenarios do
 * not call it), time is the JVM's. The scenario's own body
 * runs in the calling thread: the test method's, as a {@code @ConcurrencyTest} body.
 *
 * <p><b>Threading:</b> one instance per iteration; {@link #fork} from the scenario's threads.
 */
final class FrayContext implements StressContext {

    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile Throwable failure;

    /** Runs {@code scenario} once, its body on the current thread; rethrows what failed it. */
    static void run(StressScenario scenario) throws Throwable {
        FrayContext ctx = new FrayContext();
        try {
            scenario.run(ctx);
        } finally {
            for (Thread t : ctx.threads) {
                t.join(); // the scenarios join their threads; this only makes sure, before the next iteration
            }
        }
        if (ctx.failure != null) {
            throw ctx.failure;
        }
    }

    @Override
    public Thread fork(String name, Task task) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }, name);
        threads.add(t);
        t.start();
        return t;
    }

    @Override
    public void point() {
        Thread.yield();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public String scheduleId() {
        return "fray";
    }
}
