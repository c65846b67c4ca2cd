package io.vtbridge.monitor;

import io.vtbridge.Bridge;
import io.vtbridge.Priority;

/**
 * A snapshot of one of a bridge's work pools ({@link Bridge#cpuPoolStats()},
 * {@link Bridge#blockingPoolStats()}). The fields are read one after the other while the pool runs,
 * so they need not add up exactly.
 *
 * @param name        the pool's name (its worker threads are {@code name-0}, {@code name-1}...)
 * @param threads     the most worker threads the pool starts
 * @param liveThreads worker threads started and not yet exited
 * @param queuedHigh  {@link Priority#HIGH} tasks waiting for a worker
 * @param queuedLow   {@link Priority#LOW} tasks waiting for a worker
 * @param running     tasks whose body is running now
 * @param completed   tasks whose body has run to its end, normally or with an exception
 * @param rejected    tasks refused at submission (queue full, or pool shut down) plus queued tasks
 *                    that the bridge's shutdown completed without running
 */
public record PoolStats(String name, int threads, int liveThreads, int queuedHigh, int queuedLow,
                        int running, long completed, long rejected) {
}
