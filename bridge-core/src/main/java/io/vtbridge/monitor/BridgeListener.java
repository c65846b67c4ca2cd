package io.vtbridge.monitor;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeBuilder;
import io.vtbridge.Shard;

/**
 * Receives the bridge's events: every intercepted call's REQUEST, SUSPEND and RESUME, with its kind
 * (see {@link EventKind} and {@link EventPhase}). Set with {@link BridgeBuilder#listener}.
 *
 * <p><b>Threading and delivery:</b> events are recorded on the loops into a bounded buffer per shard
 * (no allocation, no lock) and delivered on one platform thread per bridge, named
 * {@code <bridge>-events}, never on a loop thread: calls are sequential, and each shard's events
 * arrive in the order they happened. Delivery lags by up to about a millisecond. When a shard
 * records events faster than the listener consumes them, the buffer's newest events are dropped and
 * counted ({@link Shard#eventsLost()}); the counters in {@link ShardStats} are exact regardless. A
 * listener that throws gets the next event anyway (the throwable is counted, not logged per event).
 * Without a listener, there is no buffer and no thread. {@link Bridge#close()} lets the event thread
 * deliver what the buffers still hold and waits for it up to 5 s; a listener slower than that may
 * still be called, once, after {@code close()} returned.
 */
@FunctionalInterface
public interface BridgeListener {

    /**
     * One event.
     *
     * @param shard    the shard index
     * @param threadId the virtual thread's {@link Thread#threadId()}, or -1 when vtbridge could not
     *                 tell (a PARK of a thread that made no vtbridge call in that run)
     * @param phase    request, suspend or resume
     * @param kind     what the call waited for
     * @param nanoTime {@link System#nanoTime()} when it happened
     */
    void onEvent(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime);

    /**
     * A stall of a shard (see {@link StallReport}), once per stall. Called on the bridge's event
     * thread, like {@link #onEvent}, so calls stay sequential; never on a loop thread. The default
     * does nothing (the watchdog also logs a {@code System.Logger} warning).
     */
    default void onStall(StallReport report) {
    }
}
