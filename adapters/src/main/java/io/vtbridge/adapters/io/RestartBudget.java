package io.vtbridge.adapters.io;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * How many times a channel may start a child after its first: at most {@code maxRestarts} starts
 * within any {@code window} (a sliding window of their start times), or in total when there is no
 * window. A failed start counts as a restart too, so a command that cannot start is not retried
 * without bound.
 *
 * <p><b>Threading:</b> {@link #tryStart(long)} is the writer thread's only; {@link #restarts()} may
 * be read by any thread.
 */
final class RestartBudget {

    private final int maxRestarts;
    private final Duration window;                      // null: counted in total
    private final long windowNanos;
    private final ArrayDeque<Long> recent = new ArrayDeque<>(); // writer only: start times of the restarts in the window
    private boolean started;                            // writer only: whether the first start happened
    private volatile int restarts;                      // written by the writer, read by anyone

    RestartBudget(int maxRestarts, Duration window) {
        this.maxRestarts = maxRestarts;
        this.window = window;
        this.windowNanos = window == null ? 0 : saturatedNanos(window);
    }

    /** Whether a child may be started now ({@code nanoTime}); if so, counts it. */
    boolean tryStart(long nanoTime) {
        if (!started) {
            started = true;
            return true;
        }
        if (window != null) {
            while (!recent.isEmpty() && nanoTime - recent.peekFirst() >= windowNanos) {
                recent.pollFirst();
            }
            if (recent.size() >= maxRestarts) {
                return false;
            }
            recent.addLast(nanoTime);
        } else if (restarts >= maxRestarts) {
            return false;
        }
        restarts++; // single writer: a plain increment of the volatile is safe
        return true;
    }

    /** Restarts so far (starts after the first, failed ones included). */
    int restarts() {
        return restarts;
    }

    int maxRestarts() {
        return maxRestarts;
    }

    /** The window, or null when restarts are counted in total. */
    Duration window() {
        return window;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
