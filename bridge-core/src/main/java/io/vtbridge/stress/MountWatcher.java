package io.vtbridge.stress;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Reports a mount that has held a stress run's one carrier longer than a bound: a loop without a
 * scheduling point, or a wait that blocks the carrier. The run cannot cut such a mount short; the
 * report names the thread and gives the stack it had while it held the carrier, once per mount.
 *
 * <p><b>Threading:</b> {@link #mounting}, {@link #unmounted} and {@link #schedule} from the carrier
 * (volatile stores the watcher reads); {@link #start} and {@link #stop} from the run's thread.
 */
final class MountWatcher {

    private final long boundNanos;
    private final Consumer<String> sink;
    private Thread thread;
    private volatile StressCarrier.Entry mount;   // the mount in progress, or null
    private volatile long mountStart;             // System.nanoTime() at its start
    private volatile String schedule;

    MountWatcher(long boundNanos, Consumer<String> sink) {
        this.boundNanos = boundNanos;
        this.sink = sink;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("vtbridge-stress-watcher").start(this::watch);
    }

    /** Stops the watcher and waits until its thread has exited. */
    void stop() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void schedule(String id) {
        schedule = id;
    }

    void mounting(StressCarrier.Entry e) {
        mountStart = System.nanoTime();
        mount = e;
    }

    void unmounted() {
        mount = null;
    }

    private void watch() {
        StressCarrier.Entry reported = null;
        long period = Math.max(1_000_000L, Math.min(boundNanos / 4, 1_000_000_000L));
        while (!Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(this, period);
            StressCarrier.Entry e = mount;
            long held = System.nanoTime() - mountStart;
            if (e == null || e == reported || held < boundNanos) {
                continue;
            }
            StackTraceElement[] stack = e.thread == null ? new StackTraceElement[0] : e.thread.getStackTrace();
            if (mount != e) {
                continue; // it unmounted meanwhile: the stack is not the stuck one
            }
            reported = e;
            StringBuilder b = new StringBuilder("vtbridge stress: schedule ").append(schedule).append(": thread ")
                    .append(e.name).append(" has held the run's one carrier for ").append(held / 1_000_000)
                    .append(" ms: a loop without a scheduling point, or a wait that blocks the carrier (a pinned"
                            + " thread: synchronized or Object.wait on JDK 21-23, a class initialiser, a native"
                            + " frame). The run cannot go on until it returns.\n");
            for (StackTraceElement f : stack) {
                b.append("    at ").append(f).append('\n');
            }
            try {
                sink.accept(b.toString());
            } catch (RuntimeException ignored) {
                // a sink that fails loses this report, not the watcher
            }
        }
    }
}
