package io.vtbridge.loop;

/**
 * A submitted task as a shard's runners see it ({@link ShardLoop#submitTask}): a runner (a bridged
 * virtual thread that runs tasks one after another) calls {@link #runOnRunner} on the loop it
 * belongs to. A task that is not {@link #movable()} runs on the loop it was submitted to; a movable
 * one may be moved to another shard's loop that has nothing to do.
 *
 * <p><b>Threading:</b> {@link #queuedAt(long)} by the submitting thread before the offer that
 * publishes the task (or by the loop that moves it); the rest by the runner that runs it.
 */
public interface RunnerTask {

    /** Runs the task on the current thread, a runner of {@code loop}. Never throws. */
    void runOnRunner(ShardLoop loop);

    /** Whether the task may run on another shard than the one it was submitted to (it has no key). */
    boolean movable();

    /** When the task was queued ({@link System#nanoTime()}), or 0 when scheduling delays are not measured. */
    long queuedAt();

    /** Records when the task was queued (see {@link #queuedAt()}). */
    void queuedAt(long stamp);
}
