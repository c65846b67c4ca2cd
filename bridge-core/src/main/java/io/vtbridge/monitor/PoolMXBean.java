package io.vtbridge.monitor;

import io.vtbridge.BridgeBuilder;

/**
 * One of a bridge's work pools over JMX, registered as
 * {@code io.vtbridge:type=Pool,bridge=<name>,pool=cpu|blocking} while the bridge runs (see
 * {@link BridgeBuilder#jmx}). Live reads of {@link PoolStats}.
 *
 * <p><b>Threading:</b> any thread; each getter reads its figure on its own.
 */
public interface PoolMXBean {
    /** The most worker threads. */
    int getThreads();

    /** Worker threads alive now. */
    int getLiveThreads();

    /** HIGH tasks queued. */
    int getQueuedHigh();

    /** LOW tasks queued. */
    int getQueuedLow();

    /** Tasks running now. */
    int getRunning();

    /** Tasks that ran to their end. */
    long getCompleted();

    /** Tasks refused (queue full, or shut down). */
    long getRejected();
}
