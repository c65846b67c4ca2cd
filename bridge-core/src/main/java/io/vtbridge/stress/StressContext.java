package io.vtbridge.stress;

import java.time.Clock;

/**
 * What a scenario's threads see of the stress run that schedules them: how to start more threads,
 * the run's virtual clock, and which schedule this is.
 *
 * <p><b>Threading:</b> from the threads of the run only (the scenario's body and the threads it
 * forked); anywhere else every method throws {@link IllegalStateException}.
 */
public interface StressContext {

    /** A thread's body; may throw, which fails the schedule. */
    @FunctionalInterface
    interface Task {
        /** The body. */
        void run() throws Exception;
    }

    /**
     * Starts a virtual thread named {@code name} under the run's scheduler. A throwable that escapes
     * {@code task} fails the schedule (and is reported with the thread's name). Threads that scenario
     * code starts itself with {@code Thread.ofVirtual()} are scheduled too (a virtual thread inherits
     * its parent's scheduler), but what escapes them only goes to their uncaught-exception handler.
     *
     * @throws NullPointerException if {@code name} or {@code task} is null
     */
    Thread fork(String name, Task task);

    /**
     * An {@link java.util.concurrent.Executor} whose every task runs in a new thread of the run (named
     * {@code task-1}, {@code task-2}, ...), scheduled like the others; a task that throws fails the
     * schedule. For code under test that takes an executor: async callers, a
     * {@code CompletableFuture.supplyAsync(..., executor)}, anything that would otherwise hand its work
     * to a pool or a bridge's shards, outside the schedule.
     */
    java.util.concurrent.Executor executor();

    /**
     * A scheduling point: the scheduler may run another thread here. Plain {@code Thread.yield()} is
     * one too; the bridge's locks, semaphores, conditions and {@code Bridge.sleep} have their own.
     */
    void point();

    /** The run's virtual clock in nanoseconds: it starts at 0 and jumps to the next deadline when no thread can run. */
    long nanoTime();

    /** The virtual clock as a {@link Clock} (UTC, starting at 2000-01-01T00:00:00Z), for code that takes one. */
    Clock clock();

    /** The schedule's id, for {@link StressTester#replay}. */
    String scheduleId();
}
