package io.vtbridge.events;

import io.vtbridge.internal.VarHandles;
import io.vtbridge.loop.EventSink;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded single-producer, single-consumer ring of events, three {@code long}s each (phase and
 * kind packed, thread id, time). The producer is one loop thread (the loop, or a virtual thread it
 * carries); the consumer is the bridge's event dispatcher. A full ring drops the new event and counts
 * it: the loop never waits for the listener.
 *
 * <pre>
 *   producer (accept)                          consumer (drain)
 *   t = tail (plain: own field)                 t = getAcquire(tail)      pairs with the setRelease left
 *   h = getAcquire(head)  pairs with setRelease below            read slots [head, t)
 *   if (t - h == capacity) lost++, return       setRelease(head, t)       the slots may be reused
 *   write slot t
 *   setRelease(tail, t + 1)  the slot is visible before the index
 * </pre>
 *
 * <p><b>Threading:</b> {@link #accept} by the producer only, {@link #drain} by the consumer only,
 * {@link #lost()} from any thread.
 */
public final class EventRing implements EventSink {

    private static final VarHandle HEAD = VarHandles.field(MethodHandles.lookup(), "head", long.class);
    private static final VarHandle TAIL = VarHandles.field(MethodHandles.lookup(), "tail", long.class);
    private static final VarHandle LOST = VarHandles.field(MethodHandles.lookup(), "lost", long.class);
    private static final EventPhase[] PHASES = EventPhase.values();
    private static final EventKind[] KINDS = EventKind.values();

    private final long[] slots;   // 3 per event; written by the producer before its release of tail
    private final int mask;       // capacity - 1

    private long head;            // consumer-owned; setRelease by the consumer, getAcquire by the producer
    private long tail;            // producer-owned; setRelease by the producer, getAcquire by the consumer
    private long lost;            // producer-owned; setOpaque, getOpaque by readers

    /** What {@link #drain} hands each event to. */
    @FunctionalInterface
    public interface Consumer {
        void event(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime);
    }

    /**
     * @param capacity events the ring holds, a power of two, at least 2
     * @throws IllegalArgumentException if it is not
     */
    public EventRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1 || capacity > (1 << 26)) {
            throw new IllegalArgumentException("capacity must be a power of two in 2..2^26, was " + capacity);
        }
        this.slots = new long[capacity * 3];
        this.mask = capacity - 1;
    }

    @Override
    public void accept(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime) {
        long t = tail;
        if (t - (long) HEAD.getAcquire(this) > mask) { // pairs with the setRelease of head in drain()
            LOST.setOpaque(this, lost + 1);
            return;
        }
        int i = (int) (t & mask) * 3;
        slots[i] = ((long) shard << 16) | ((long) phase.ordinal() << 8) | kind.ordinal();
        slots[i + 1] = threadId;
        slots[i + 2] = nanoTime;
        TAIL.setRelease(this, t + 1); // the slot before the index: pairs with the getAcquire in drain()
    }

    /** Hands every event published so far to {@code consumer}, in order; returns how many. Consumer only. */
    public int drain(Consumer consumer) {
        long h = head;
        long t = (long) TAIL.getAcquire(this); // pairs with the setRelease in accept()
        for (long n = h; n != t; n++) {
            int i = (int) (n & mask) * 3;
            long packed = slots[i];
            consumer.event((int) (packed >>> 16), slots[i + 1], PHASES[(int) (packed >>> 8) & 0xff],
                    KINDS[(int) packed & 0xff], slots[i + 2]);
        }
        HEAD.setRelease(this, t); // the slots are read before they can be reused: pairs with accept()'s getAcquire
        return (int) (t - h);
    }

    /** Events dropped because the ring was full. Any thread. */
    public long lost() {
        return (long) LOST.getOpaque(this);
    }

    /** Events the ring holds. */
    public int capacity() {
        return mask + 1;
    }
}
