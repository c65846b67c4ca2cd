package io.vtbridge;

/**
 * How urgently a task handed to one of the bridge's bounded work pools should run.
 *
 * <p>A pool keeps one FIFO queue per priority and a single capacity for both. A worker that is free
 * takes the oldest {@link #HIGH} task; it takes a {@link #LOW} task only when no {@code HIGH} task is
 * queued. There is no ageing: a steady stream of {@code HIGH} work keeps {@code LOW} work waiting,
 * which is the point (background work must not add latency to requests). A {@code LOW} task that has
 * started is never preempted.
 */
public enum Priority {

    /** Work a request is waiting for: always handed out before any {@link #LOW} task. */
    HIGH,

    /**
     * Background work (compaction, refreshes, housekeeping): runs only when no {@link #HIGH} task is
     * queued.
     */
    LOW
}
