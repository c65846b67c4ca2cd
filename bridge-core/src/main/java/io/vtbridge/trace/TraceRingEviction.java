package io.vtbridge.trace;

import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import static io.vtbridge.trace.TraceLayout.F_LENGTH;
import static io.vtbridge.trace.TraceLayout.F_TAG;
import static io.vtbridge.trace.TraceLayout.F_TYPE;
import static io.vtbridge.trace.TraceLayout.HEADER;
import static io.vtbridge.trace.TraceLayout.TAG_BUSY;
import static io.vtbridge.trace.TraceLayout.TYPE_PADDING;
import static io.vtbridge.trace.TraceLayout.frameSize;

/**
 * Eviction in a {@link TraceRing} (third layer, see {@link TraceRingBacking}): {@code oldest}, the
 * position of the oldest frame still in the ring, and {@code lost}, the records evicted so far. When
 * a round does not fit, the lock holder advances {@code oldest} over whole frames, counting the
 * records in {@code lost}; it never waits for a reader. A ring of {@value #CHUNKED_EVICTION_MIN}
 * bytes or more evicts a chunk at a time: until the round fits with a sixteenth of the ring (at most
 * {@value #MAX_SLACK} bytes) to spare, so about 1 append in 1,600 evicts in a 1 MiB ring of events,
 * and the header mirror is written once per chunk. A smaller ring evicts just what the round needs.
 *
 * <p>The order that lets a reader copy frames without holding writers up, the seqlock order of
 * {@link java.util.concurrent.locks.StampedLock}: the new {@code oldest} (field and header mirror)
 * is stored, then a {@code storeStoreFence}, and only then are the freed bytes overwritten. A reader
 * that copied a frame, fenced, and finds {@code oldest} still at or before the frame copied it whole
 * ({@link LiveReader}).
 *
 * <p><b>Threading:</b> {@link #makeRoom}: the holder of the tail lock only (it alone writes
 * {@code oldest} and {@code lost}, and the lock orders the holders). {@link #oldestAcquire} and
 * {@link #lostOpaque}: any thread.
 */
abstract class TraceRingEviction extends TraceRingTail {

    /**
     * Rings of at least this many bytes evict in chunks: an eviction frees a sixteenth of the ring
     * (at most {@value #MAX_SLACK} bytes) beyond what the new round needs. A smaller ring evicts just
     * what it needs: there a sixteenth may be less than one record, and one more evicted record a
     * large share of what the ring holds.
     */
    static final int CHUNKED_EVICTION_MIN = 64 * 1024;
    private static final int MAX_SLACK = 64 * 1024;

    private final int slack; // bytes an eviction frees beyond what the round needs

    private long oldest;     // start of the oldest frame in the ring: lock holder only, setRelease + storeStoreFence; getAcquire by readers
    private static final VarHandle OLDEST = VarHandles.field(MethodHandles.lookup(), "oldest", long.class);
    private long lost;       // records overwritten: lock holder only (plain read, setOpaque); getOpaque by others
    private static final VarHandle LOST = VarHandles.field(MethodHandles.lookup(), "lost", long.class);

    TraceRingEviction(ByteBuffer buffer, MappedByteBuffer mapped, Path file, int capacity, int maxRecord) {
        super(buffer, mapped, file, capacity, maxRecord);
        this.slack = capacity >= CHUNKED_EVICTION_MIN ? Math.min(capacity / 16, MAX_SLACK) : 0;
    }

    /**
     * Lock held, for a round {@code [from, end)}: if it does not fit in the ring, advances
     * {@code oldest} over whole frames until it fits with {@code slack} bytes to spare (or up to
     * {@code from}), counting the records it passes in {@code lost}. Evicting a chunk at a time, not
     * one record per append, keeps the uncontended append short and lets the header mirror be written
     * once per chunk. The check is all an append pays while the round fits; the eviction is out of line.
     */
    final void makeRoom(long from, long end) {
        long o = oldest; // plain: only lock holders write it, and the lock orders them
        if (end - o > capacity) {
            evict(o, from, end);
        }
    }

    /**
     * {@link #makeRoom}'s slow path, from the oldest frame {@code o}. A frame still BUSY belongs to a
     * round whose writer is copying: wait for its commit, never overwrite it.
     */
    private void evict(long o, long from, long end) {
        long dropped = 0;
        do {
            int at = index(o);
            awaitCommitted(at);
            int length = buf.getInt(at + F_LENGTH);
            if (buf.get(at + F_TYPE) == TYPE_PADDING) {
                o += length;
            } else {
                o += frameSize(length);
                dropped++;
            }
            assert length >= 0 && o <= from : "corrupt frame at offset " + (at - HEADER) + ": length " + length;
        } while (o < from && end - o > capacity - slack);
        long total = lost + dropped;
        OLDEST.setRelease(this, o); // pairs with the getAcquire in oldestAcquire (LiveReader): a reader that jumps to oldest finds committed frames
        LOST.setOpaque(this, total);
        // The header mirror for a reader of the file after a crash: oldest and lost exact, tail and
        // appended as of this round's start (a lower bound the reader walks on from, RecoveryReader).
        mirrorEviction(from, nextSequence(), o, total);
        // The new oldest (field and mirror) before any store into the bytes it frees (the seqlock order
        // of StampedLock): a reader that loads one of those stores, then acquireFence, then oldest, sees
        // oldest past its frame.
        VarHandle.storeStoreFence();
    }

    /** Lock held: waits until the frame at buffer index {@code at} is not BUSY; its bytes are then visible. */
    private void awaitCommitted(int at) {
        for (int spins = 0; ; spins++) {
            byte tag = buf.get(at + F_TAG);
            VarHandle.acquireFence(); // the tag before the frame's other bytes: pairs with the releaseFence in commit()
            if (tag != TAG_BUSY) {
                return;
            }
            BackOff.backOff(spins, true, 0);
        }
    }

    /** The start of the oldest frame; frames there are committed or BUSY, never torn. */
    final long oldestAcquire() {
        return (long) OLDEST.getAcquire(this); // pairs with the setRelease in evict
    }

    /** Records evicted so far; may lag an append that has not returned. */
    final long lostOpaque() {
        return (long) LOST.getOpaque(this);
    }
}
