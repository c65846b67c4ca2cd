package io.vtbridge.events;

import io.vtbridge.loop.EventSink;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;

/**
 * Commits each event as a {@link BridgeJfrEvent} when that JFR event type is enabled in a running
 * recording; otherwise does nothing but check the flag (no allocation).
 *
 * <p>JDK 25 drops JFR events committed on a platform thread after it has carried a virtual thread
 * of a custom scheduler (checked with a stand-alone program: the carrier's events vanish, the
 * virtual thread's and a plain thread's are recorded). So only events recorded on the bridged
 * virtual thread itself reach JFR: REQUEST, RESUME, and SUSPEND, which {@code LoopEvents} commits
 * from the thread just before it parks (it may then not unmount: a permit was there, or it is
 * pinned). The loop's own classifications, SUSPEND and RESUME of kind PARK, are not in JFR; the
 * counters and the listener have them.
 *
 * <p><b>Threading:</b> as {@link EventSink}: any loop thread; stateless.
 */
public final class JfrEventSink implements EventSink {

    /** The one instance: it holds no state. */
    public static final JfrEventSink INSTANCE = new JfrEventSink();

    private static final BridgeJfrEvent PROBE = new BridgeJfrEvent(); // only ever asked isEnabled()

    private JfrEventSink() {
    }

    @Override
    public boolean wants() {
        return PROBE.isEnabled();
    }

    @Override
    public void accept(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime) {
        if (!PROBE.isEnabled() || !Thread.currentThread().isVirtual()) {
            return; // off, or on a loop (carrier) thread, where JFR loses the event (see above)
        }
        commit(shard, threadId, phase, kind, nanoTime);
    }

    /** Commits one event from the current (virtual) thread if the event type is enabled. */
    public static void commit(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime) {
        if (!PROBE.isEnabled()) {
            return;
        }
        BridgeJfrEvent event = new BridgeJfrEvent();
        event.shard = shard;
        event.virtualThreadId = threadId;
        event.phase = phase.name();
        event.kind = kind.name();
        event.nanoTime = nanoTime;
        event.commit();
    }
}
