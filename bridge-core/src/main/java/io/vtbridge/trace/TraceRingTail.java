package io.vtbridge.trace;

import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The tail of a {@link TraceRing} (second layer, see {@link TraceRingBacking}): {@code tail}, the
 * byte position (a count since the start, never wrapped) where the next record goes, whose top bit
 * is the lock bit; and {@code appended}, the number of records appended so far, which is the next
 * record's sequence number. The writer that sets the bit with one CAS is the <em>lock holder</em>;
 * it alone moves the tail and the counter, and its release store of the tail ({@link #publish})
 * publishes what it wrote and drops the lock in one store.
 *
 * <p>A writer that finds the bit set loads {@code tail} a couple more times ({@value #TAIL_SPINS}),
 * with a CAS only when it sees the bit clear ({@link #acquireTail}); a lock holder on the
 * uncontended path holds the lock for a few dozen nanoseconds. One that still finds it set queues
 * ({@link TraceRingCombining}).
 *
 * <p><b>Threading:</b> {@link #tryLockTail}, {@link #acquireTail} and {@link #lockTail}: any writer.
 * {@link #nextSequence}, {@link #publish} and {@link #unlock}: the lock holder only.
 * {@link #tailAcquire} and {@link #appendedOpaque}: any thread (readers, monitoring).
 */
abstract class TraceRingTail extends TraceRingBacking {

    /** The lock bit of {@code tail}; positions stay below 2^63. */
    static final long LOCKED = Long.MIN_VALUE;
    static final long FREE = -1; // what tryLockTail returns when it did not get the lock
    /** Loads of a held tail a writer makes before it queues (test-and-test-and-set: a CAS only when seen free). */
    static final int TAIL_SPINS = 2;

    private long tail;     // LOCKED | end of the reserved bytes: CAS by writers (lock); setRelease to publish a round (pairs with the getAcquire in tailAcquire, LiveReader's, and with the next CAS)
    private static final VarHandle TAIL = VarHandles.field(MethodHandles.lookup(), "tail", long.class);
    private long appended; // records appended, the next sequence number: lock holder only (plain read, setOpaque); getOpaque by others
    private static final VarHandle APPENDED = VarHandles.field(MethodHandles.lookup(), "appended", long.class);

    TraceRingTail(ByteBuffer buffer, MappedByteBuffer mapped, Path file, int capacity, int maxRecord) {
        super(buffer, mapped, file, capacity, maxRecord);
    }

    /**
     * The tail lock for an append: one CAS, then, while another writer holds the lock, up to
     * {@value #TAIL_SPINS} loads of {@code tail}, with a CAS only when the bit is seen clear (a waiting
     * writer keeps the line shared instead of taking it from the holder on every try). A lock holder
     * on the uncontended path holds it for a few dozen nanoseconds, so a short wait here is cheaper
     * than the combining queue; a longer one means real contention, and the caller queues. Returns the
     * tail if this thread now holds the lock, else FREE.
     */
    final long acquireTail() {
        long t = tryLockTail();
        for (int spins = 0; t == FREE && spins < TAIL_SPINS; spins++) {
            Thread.onSpinWait();
            t = tryLockTail();
        }
        return t;
    }

    /** One CAS for the lock bit of tail: the tail (without the bit) if this thread now holds the lock, else FREE. */
    final long tryLockTail() {
        long t = (long) TAIL.getOpaque(this);
        return (t & LOCKED) == 0 && TAIL.compareAndSet(this, t, t | LOCKED) ? t : FREE;
    }

    /**
     * Waits until this thread holds the tail lock, as a queued writer waits (a platform thread parks
     * 25 µs between tries); returns the tail. For {@link TraceRing#force()}, and for tests: makes
     * every writer queue. The caller unlocks with {@link TraceRing#unlockTail(long)}, which writes
     * the records queued meanwhile.
     */
    final long lockTail() {
        for (int spins = 0; ; spins++) {
            long t = tryLockTail();
            if (t != FREE) {
                return t;
            }
            BackOff.backOff(spins, false, BackOff.MIN_PARK_NANOS);
        }
    }

    /** Lock held: the next record's sequence number (a plain read: only lock holders write it, and the lock orders them). */
    final long nextSequence() {
        return appended;
    }

    /**
     * Lock held: the appended counter for a round ending at {@code end}, then the tail store. The
     * header's tail and appended are not written here, only when a chunk is evicted and by
     * {@link TraceRing#force()}: on every append they would move one more cache line between the
     * writers' cores.
     */
    final void publish(long end, long appendedAfter, boolean keepLock) {
        APPENDED.setOpaque(this, appendedAfter);
        // The round's first header (BUSY), or a one-pass record whole, before the new tail: pairs with
        // the getAcquire of tail in tailAcquire (LiveReader) and with the CAS of the next lock holder. Without the
        // lock bit it is the unlock.
        TAIL.setRelease(this, keepLock ? end | LOCKED : end);
    }

    /** Lock held, nothing written: drops the lock bit of tail {@code t}. */
    final void unlock(long t) {
        TAIL.setRelease(this, t); // nothing to write: drop the lock bit (pairs with the next CAS)
    }

    /** The end of the published rounds (lock bit cleared). */
    final long tailAcquire() {
        return (long) TAIL.getAcquire(this) & ~LOCKED; // pairs with the setRelease in publish
    }

    /** Records appended so far; may lag an append that has not returned. */
    final long appendedOpaque() {
        return (long) APPENDED.getOpaque(this);
    }
}
