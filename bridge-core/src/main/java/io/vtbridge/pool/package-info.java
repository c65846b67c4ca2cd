/**
 * Bounded work pools: a fixed maximum of platform worker threads, a bounded queue with two
 * priorities ({@link io.vtbridge.Priority}), and backpressure instead of unbounded spawning. The bridge
 * runs CPU-bound work ({@code Bridge.compute}) and blocking calls that would pin a shard's carrier
 * ({@code Bridge.blocking}) here, off the shard loops.
 *
 * <p>A task travels like this: {@link io.vtbridge.pool.WorkPool#submit} wraps it in a
 * {@link io.vtbridge.pool.PoolTask} (its future), the {@link io.vtbridge.pool.PriorityTaskQueue}
 * takes it or refuses it at once, and a worker — started on demand, up to the maximum — takes it,
 * {@code HIGH} before {@code LOW}, and runs it.
 * The queue is guarded by a {@link java.util.concurrent.locks.ReentrantLock}, not {@code synchronized}:
 * its callers are virtual threads, which {@code synchronized} pins on JDK 21–23.
 * Access-mode names as in {@link io.vtbridge.queue} (here only a task's and a pool's state:
 * {@code compareAndSet}, one {@code setRelease}, volatile reads).
 */
package io.vtbridge.pool;
