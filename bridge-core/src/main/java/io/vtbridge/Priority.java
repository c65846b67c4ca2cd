package io.vtbridge;

/**
 * How urgently a task should run. It means one thing in the bridge's bounded work pools and another
 * for a task submitted to a shard:
 * <ul>
 *   <li><b>In a work pool</b> ({@code Bridge.compute(Priority, ...)}; {@code compute(task)} and
 *       {@code blocking(task)} run at {@code HIGH}): a pool keeps one FIFO queue per priority and a single
 *       capacity for both. A worker that is free takes the oldest {@link #HIGH} task; it takes a
 *       {@link #LOW} task only when no {@code HIGH} task is queued. There is no ageing: a steady
 *       stream of {@code HIGH} work keeps {@code LOW} work waiting, which is the point (background
 *       work must not add latency to requests). A {@code LOW} task that has started is never
 *       preempted.</li>
 *   <li><b>On a shard</b> ({@code Bridge.submit(Priority, ...)}): {@link #HIGH} takes the shard's
 *       latency lane, which starts ahead of the work already queued; {@link #LOW} is an ordinary
 *       submission, exactly {@code submit(task)}: a shard has no background class, so {@code LOW}
 *       work there waits behind nothing that {@code submit(task)} would not. Put background work
 *       that must yield to requests in a work pool at {@code LOW}.</li>
 * </ul>
 */
public enum Priority {

    /** Work a request is waiting for: in a work pool, handed out before any {@link #LOW} task; on a shard, the latency lane. */
    HIGH,

    /**
     * Background work (compaction, refreshes, housekeeping): in a work pool, runs only when no
     * {@link #HIGH} task is queued; on a shard, an ordinary submission.
     */
    LOW
}
