package io.vtbridge.events;

import io.vtbridge.loop.EventSink;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.trace.TraceRing;

import java.util.Objects;

/**
 * Records each event of a loop in a {@link TraceRing} as a compact event record (shard, virtual
 * thread id, kind, phase, nanoTime). The ring takes appends from many threads at once without a
 * lock convoy; when its readers are slow it overwrites its oldest records and counts them.
 *
 * <p><b>Threading:</b> as {@link EventSink}; the ring is shared by every shard of the bridge.
 */
public final class TraceSink implements EventSink {

    private final TraceRing ring;

    public TraceSink(TraceRing ring) {
        this.ring = Objects.requireNonNull(ring, "ring");
    }

    @Override
    public void accept(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime) {
        ring.appendEvent(shard, threadId, kind, phase, nanoTime);
    }
}
