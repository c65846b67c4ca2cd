package io.vtbridge.loop;

/** The per-loop event counters kept by {@link LoopCounters}. */
public enum LoopCounter {
    /** Continuations run: every start and every resume of a virtual thread on this loop. */
    MOUNTS,
    /** Continuations scheduled from the loop's own thread: same-shard resumes, no atomics. */
    LOCAL_SCHEDULES,
    /** Continuations that arrived through the inbound queue: from other threads. */
    REMOTE_SCHEDULES,
    /** Continuations that arrived through the expiry queue: timed waits (and parks armed off the owner) resumed by the JDK's timer thread. */
    EXPIRY_SCHEDULES,
    /** Loop timers expired ({@code Bridge.sleep} wake-ups, lock timeouts, and on JDK 25 timed parks such as {@code Thread.sleep}). */
    TIMERS_FIRED,
    /** Loop iterations that found work (idle spins are not counted). */
    ITERATIONS,
    /** Times the idle loop parked its thread. */
    PARKS,
    /** Submitted tasks that started on this shard. */
    TASKS_STARTED,
    /** Submitted tasks that finished on this shard (value, exception, cancellation or rejection). */
    TASKS_FINISHED,
    /** Virtual threads created by vtbridge on this shard (tasks and {@code Shard.newThread}) that started. */
    THREADS_STARTED,
    /** Virtual threads created by vtbridge on this shard that ended. */
    THREADS_ENDED,
    /** Throwables that escaped a continuation or the loop itself (should stay 0: the JDK catches user exceptions). */
    ERRORS,
    /** Latency-lane starts the loop had not taken by their deadline, run off the loop instead (the lane thread or the CPU pool). */
    LANE_RESCUES,
    /** Continuations of hogs sent to the CPU pool (a thread that held the loop past the slice, then yielded). */
    HOG_MOVES,
    /** Runs of moved hogs on the CPU pool that ended blocked: the thread's next resume is on its loop again. */
    HOG_RETURNS,
    /** Tasks without a key this loop's runners moved to another shard's loop that had nothing to do. */
    TASKS_SPILLED_OUT,
    /** Tasks other shards' loops moved to this loop's runners. */
    TASKS_SPILLED_IN,
    /** Runnable runners of other shards' loops (inside tasks without a key) this loop carried while it had nothing of its own. */
    RUNNERS_STOLEN
}
