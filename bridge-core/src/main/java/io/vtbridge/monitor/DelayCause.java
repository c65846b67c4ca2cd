package io.vtbridge.monitor;

/**
 * Why a continuation became runnable, for the scheduling-delay histograms of a shard
 * ({@link ShardStats#schedulingDelays()}): a thread's start, or its resume after a wait of one
 * {@link EventKind}.
 */
public enum DelayCause {
    /** A new virtual thread's first mount (a submitted task, a {@code Shard.newThread} thread). */
    START,
    /** A resume after waiting for a vtbridge lock, read-write lock or semaphore. */
    LOCK,
    /** A resume after file I/O on the blocking pool ({@code BridgeFiles}). */
    FILE,
    /** A resume after {@code Bridge.sleep}. */
    SLEEP,
    /** A resume after {@code Bridge.await}. */
    AWAIT,
    /** A resume after {@code Bridge.compute}. */
    CPU,
    /** A resume after {@code Bridge.blocking}. */
    BLOCKING,
    /** A resume after a park the JDK did by itself ({@code ReentrantLock}, a queue, {@code Thread.sleep}, a socket...). */
    PARK,
    /** A resume after a yield: vtbridge's coop-budget yield, or a {@code Thread.yield()}. */
    YIELD;

    /** The cause of a resume after a wait of {@code kind}. */
    public static DelayCause of(EventKind kind) {
        return switch (kind) {
            case LOCK -> LOCK;
            case FILE -> FILE;
            case SLEEP -> SLEEP;
            case AWAIT -> AWAIT;
            case CPU -> CPU;
            case BLOCKING -> BLOCKING;
            case PARK -> PARK;
            case YIELD, HOG -> YIELD;
        };
    }
}
