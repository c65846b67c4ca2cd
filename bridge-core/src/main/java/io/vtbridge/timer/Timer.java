package io.vtbridge.timer;

/**
 * One deadline in a {@link TimerQueue}. Subclasses say what expiry does.
 *
 * <p><b>Threading:</b> loop-owned, like the queue that holds it.
 */
public abstract class Timer {

    final long deadline; // System.nanoTime() value
    int heapIndex = -1; // position in the owning queue's heap, -1 when not queued; loop-owned

    /** @param deadline the {@link System#nanoTime()} value at which the timer is due */
    protected Timer(long deadline) {
        this.deadline = deadline;
    }

    /** The {@link System#nanoTime()} value at which this timer is due. */
    public final long deadline() {
        return deadline;
    }

    /** Whether the timer sits in a queue (added, not yet fired or removed). */
    public final boolean isQueued() {
        return heapIndex >= 0;
    }

    /**
     * Called by the loop when the deadline has passed, after the timer left the queue.
     * Runs on the loop thread: it must be short, must not block and must not call user code.
     */
    protected abstract void expire();
}
