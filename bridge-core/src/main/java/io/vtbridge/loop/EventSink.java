package io.vtbridge.loop;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;

/**
 * Where a loop's events go besides its counters (the bridge's listener dispatcher; later the trace
 * ring).
 *
 * <p><b>Threading:</b> {@link #accept} is called on the loop's thread (by the loop itself or by a
 * virtual thread it carries), one call at a time per loop. It must not block, must not allocate on
 * its normal path and must not run user code: it hands the event to another thread.
 */
public interface EventSink {

    /**
     * @param shard    the shard index
     * @param threadId the virtual thread's id, or -1 when the loop could not tell which thread it was
     *                 (a JDK-native park of a thread that made no vtbridge call in that run)
     * @param phase    request, suspend or resume
     * @param kind     what was waited for
     * @param nanoTime {@link System#nanoTime()} when it happened
     */
    void accept(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime);

    /**
     * Whether this sink wants events now. The loop asks before it reads the clock for an event, so
     * a sink that is off (JFR with the event disabled) costs one check. Default: always.
     */
    default boolean wants() {
        return true;
    }
}
