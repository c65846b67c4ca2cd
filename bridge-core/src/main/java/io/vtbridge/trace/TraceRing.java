package io.vtbridge.trace;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

import static io.vtbridge.trace.TraceLayout.F_CHECKSUM;
import static io.vtbridge.trace.TraceLayout.F_PAYLOAD;
import static io.vtbridge.trace.TraceLayout.F_SEQUENCE;
import static io.vtbridge.trace.TraceLayout.TAG_BUSY;
import static io.vtbridge.trace.TraceLayout.TAG_COMMITTED;
import static io.vtbridge.trace.TraceLayout.TYPE_PADDING;
import static io.vtbridge.trace.TraceLayout.checksum;
import static io.vtbridge.trace.TraceLayout.frameSize;
import static io.vtbridge.trace.TraceLayout.word;

/**
 * A fixed-size ring of variable-length binary records that any number of threads append to at once,
 * without a lock convoy; on the heap, or in a memory-mapped file that still holds the last records
 * after the process is killed. When the ring is full the oldest records are evicted: appending never
 * waits for a reader, and {@link #lost()} counts exactly how many records were evicted. A ring of
 * 64 KiB or more evicts a chunk at a time: when a round does not fit, the oldest records go until it
 * fits with a sixteenth of the ring (at most 64 KiB) to spare, so the ring holds about 15/16 of its
 * capacity or more (less one record, or less when one round is most of the ring); a smaller ring
 * evicts only what the round needs. Design notes, the file layout and how the ring follows HAProxy's
 * ring v2 design notes: docs/TRACE.md.
 *
 * <h2>How a write goes</h2>
 * {@code tail} is the byte position (a count since the start, never wrapped) where the next record
 * goes; its top bit is a lock bit. The writer that sets the bit with one CAS is the <em>lock holder</em>.
 * A writer that finds it set loads {@code tail} a couple more times (two), with a CAS only when it
 * sees the bit clear: the uncontended path holds the lock for a few dozen nanoseconds.
 * <p>A lock holder that finds no waiter and a record of at most {@value #ONE_PASS_FRAME} bytes with
 * its frame (every event) writes it in <b>one pass</b>, the lock held throughout:
 * <pre>
 *   make room (evict a chunk if needed), copy payload, sequence, checksum
 *   releaseFence; first word := length, tag COMMITTED, type
 *   setRelease(tail, end)                        publishes the record and drops the lock bit
 * </pre>
 * A larger record, or a batch with waiters' records, is a <b>round</b> in two passes, as in ring v2,
 * so the next writer can take the lock while this one copies: pass 1, holding the lock, plans the
 * round, makes room, writes its first frame header with tag BUSY and publishes the tail (dropping the
 * lock bit); pass 2 copies every record and then sets the first tag to COMMITTED after a
 * {@code releaseFence}, so the whole round becomes readable at once. For a record of 40 bytes the copy
 * is shorter than the second pass would be; for a large one, releasing the lock before the copy lets
 * the next writer in sooner. The first frame of a round also records the round's length, so a reader
 * of the file of a process that died while a round was being copied can step over that round to the
 * committed ones after it ({@link TraceReader#skipUncommitted()}).
 * <p>A writer that still finds the bit set after its few loads does not go on spinning on
 * {@code tail}: it queues a descriptor of its record on a lock-free stack and waits. Whoever next
 * takes the lock writes the queued records in its round, so the more writers wait, the larger the
 * batch that one lock acquisition writes.
 *
 * <p><b>The file header</b> holds the ring's {@code oldest} and {@code lost} as of the last eviction,
 * and a lower bound of its {@code tail}; {@link #force()} makes it exact. A reader of the file walks on
 * past the header's tail while the records go on ({@link TraceReader}).
 *
 * <p><b>Order and durability:</b> an append returns only after its record is committed (written
 * whole with tag COMMITTED before the tail moves past it, or its round's first tag is COMMITTED), so
 * records of one thread are in the ring in the order it appended them,
 * and a record whose append has returned survives a {@code kill -9} of a process with a mapped ring.
 * Rounds commit independently: a writer never waits for an earlier round's copy to finish (the point
 * of ring v2's design), so a killed process may leave an uncommitted round with committed ones after
 * it; the reader stops there and can skip it.
 * Records of different threads are in the ring in the order their rounds were planned; within a
 * batch, the waiters' records follow the lock holder's, newest waiter first.
 *
 * <p><b>Allocation:</b> an append that takes the lock and finds no waiter allocates nothing. A
 * contended append needs a descriptor: a platform thread (a shard loop) reuses one cached in a
 * {@link ThreadLocal}, so it allocates only on its first contended append; a virtual thread allocates
 * one small object per contended append, because a cached descriptor would cost a thread-local map
 * entry per virtual thread (there may be millions, most short-lived), more than the descriptor itself.
 *
 * <p><b>Waiting:</b> a lock holder waits for a round of another writer that is still being copied
 * into the bytes it must overwrite (a ring small for the load); a queued writer waits for the lock
 * holder that writes its record. A queued platform writer parks ({@link LockSupport#parkNanos}) and
 * nobody unparks it: 25 µs, doubling up to 1 ms while its appends keep queueing, a bound on the
 * latency of a contended append. A bridge loop thread never parks: it spins a little, then yields. A
 * queued virtual thread yields, and parks after 16 yields. A lock holder never parks, and a virtual
 * lock holder never unmounts: every thread that others wait for is running. Nothing inside a round
 * parks, allocates or calls user code. Details: docs/TRACE.md.
 *
 * <p><b>Threading:</b> every {@code append} may be called by any number of threads at once, platform
 * or virtual. {@link #lost()}, {@link #appended()} and {@link #combined()} may be read from any thread
 * (they can lag an append that has not returned yet). {@link #force()} from any thread; it takes the
 * tail lock for a moment. Readers: {@link TraceReader#of(TraceRing)}, any number of them; they never
 * slow a writer down.
 */
public final class TraceRing extends TraceRingCombining {

    /** Record type of {@link #append(byte[], int, int)} and {@link #append(ByteBuffer)}: opaque bytes. */
    public static final int TYPE_DATA = TraceLayout.TYPE_DATA;
    /** Record type of {@link #appendEvent}: a {@link TraceEvent}. */
    public static final int TYPE_EVENT = TraceLayout.TYPE_EVENT;

    /** Records whose frame is at most this many bytes are copied under the lock, in one pass. */
    static final int ONE_PASS_FRAME = 256;
    private static final int EVENT_FRAME = frameSize(TraceEvent.SIZE);

    private TraceRing(ByteBuffer buffer, MappedByteBuffer mapped, Path file, int capacity, int maxRecord) {
        super(buffer, mapped, file, capacity, maxRecord);
    }

    /** A heap ring of {@code capacity} bytes with the default maximum record size, {@link #defaultMaxRecordSize}. */
    public static TraceRing onHeap(int capacity) {
        return onHeap(capacity, defaultMaxRecordSize(capacity));
    }

    /**
     * A ring in a heap buffer ({@link ByteBuffer#allocate}) of {@code 64 + capacity} bytes.
     *
     * @param capacity      ring bytes, a power of two in 128..2^30
     * @param maxRecordSize largest record payload accepted, {@value TraceEvent#SIZE} .. capacity / 2 - 20
     *                      (at most 262,116: a record takes at most half a round of 512 KiB)
     * @throws IllegalArgumentException if either is out of range
     */
    public static TraceRing onHeap(int capacity, int maxRecordSize) {
        check(capacity, maxRecordSize);
        return new TraceRing(heapBuffer(capacity), null, null, capacity, maxRecordSize);
    }

    /** {@link #mapped(Path, int, int)} with the default maximum record size. */
    public static TraceRing mapped(Path file, int capacity) throws IOException {
        return mapped(file, capacity, defaultMaxRecordSize(capacity));
    }

    /**
     * A ring in {@code file}, memory-mapped ({@link FileChannel#map}); the file is created, or
     * truncated if it exists, to {@code 64 + capacity} bytes. Every store into the ring lands in the
     * page cache at once, so a process killed with {@code kill -9} leaves the file holding every
     * record whose append had returned; {@link #force()} also survives an OS crash.
     *
     * @throws IllegalArgumentException as {@link #onHeap(int, int)}
     * @throws IOException              if the file cannot be created or mapped
     */
    public static TraceRing mapped(Path file, int capacity, int maxRecordSize) throws IOException {
        Objects.requireNonNull(file, "file");
        check(capacity, maxRecordSize);
        MappedByteBuffer m = mapFile(file, capacity);
        return new TraceRing(m, m, file, capacity, maxRecordSize);
    }

    /** The default maximum record size of a ring of {@code capacity} bytes: capacity / 2 - 20, at most 65536. */
    public static int defaultMaxRecordSize(int capacity) {
        return Math.min(TraceLayout.largestRecord(capacity), 65536);
    }

    private static void check(int capacity, int maxRecordSize) {
        if (capacity < TraceLayout.MIN_CAPACITY || capacity > TraceLayout.MAX_CAPACITY
                || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("trace ring capacity must be a power of two in "
                    + TraceLayout.MIN_CAPACITY + ".." + TraceLayout.MAX_CAPACITY + " bytes, was " + capacity);
        }
        int largest = TraceLayout.largestRecord(capacity);
        if (maxRecordSize < TraceEvent.SIZE || maxRecordSize > largest) {
            throw new IllegalArgumentException("trace ring max record size must be in " + TraceEvent.SIZE + ".."
                    + largest + " bytes for a capacity of " + capacity + " bytes (a record takes at most half"
                    + " the ring, and at most half of a 512 KiB round), was " + maxRecordSize);
        }
    }

    // ------------------------------------------------------------------------------------------ append

    /**
     * Appends a {@link TraceEvent} record (type {@link #TYPE_EVENT}), encoded in place: no allocation
     * when uncontended.
     *
     * @return the record's sequence number (how many records were appended to this ring before it)
     * @throws IllegalArgumentException if shard is not in 0..65535 or kind or phase not in 0..255
     */
    public long appendEvent(int shard, long threadId, int kind, int phase, long nanoTime) {
        int word = TraceEvent.word(shard, kind, phase);
        long t = acquireTail();
        if (t == FREE) {
            return combine(node().event(word, threadId, nanoTime));
        }
        if (hasWaiters()) {
            return writeWithWaiters(t, node().event(word, threadId, nanoTime));
        }
        long sequence = nextSequence();
        long at = placeAlone(t, EVENT_FRAME);
        int i = index(at);
        TraceEvent.put(buf, i + F_PAYLOAD, word, threadId, nanoTime);
        buf.putInt(i + F_CHECKSUM, TraceLayout.eventChecksum(word, threadId, nanoTime, sequence));
        sealAlone(t, at, TYPE_EVENT, TraceEvent.SIZE, sequence);
        return sequence;
    }

    /** {@link #appendEvent(int, long, int, int, long)} with the bridge's enums. */
    public long appendEvent(int shard, long threadId, EventKind kind, EventPhase phase, long nanoTime) {
        return appendEvent(shard, threadId, kind.ordinal(), phase.ordinal(), nanoTime);
    }

    /** Appends all of {@code src} as a {@link #TYPE_DATA} record; see {@link #append(byte[], int, int)}. */
    public long append(byte[] src) {
        return append(src, 0, src.length);
    }

    /**
     * Appends {@code src[off .. off + len)} as a {@link #TYPE_DATA} record. No allocation when
     * uncontended. The array is read until this returns.
     *
     * @return the record's sequence number
     * @throws IllegalArgumentException  if {@code len} is larger than {@link #maxRecordSize()}
     * @throws IndexOutOfBoundsException if the range is not inside {@code src}
     */
    public long append(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        return appendData(src, null, off, len);
    }

    /**
     * Appends the remaining bytes of {@code src} as a {@link #TYPE_DATA} record and moves its position
     * to its limit, as a channel write would. No allocation when uncontended.
     *
     * @return the record's sequence number
     * @throws IllegalArgumentException if more than {@link #maxRecordSize()} bytes remain
     */
    public long append(ByteBuffer src) {
        long sequence = appendData(null, src, src.position(), src.remaining());
        src.position(src.limit());
        return sequence;
    }

    /**
     * {@link #append(byte[], int, int)} and {@link #append(ByteBuffer)}: a DATA record of
     * {@code len} bytes from {@code array[from ..]} or {@code buffer[from ..]} (the other null).
     */
    private long appendData(byte[] array, ByteBuffer buffer, int from, int len) {
        checkLength(len);
        long t = acquireTail();
        if (t == FREE) {
            return combine(node().bytes(array, buffer, from, len));
        }
        if (hasWaiters()) {
            return writeWithWaiters(t, node().bytes(array, buffer, from, len));
        }
        long sequence = nextSequence();
        Throwable failed;
        if (frameSize(len) <= ONE_PASS_FRAME) {
            long at = placeAlone(t, frameSize(len));
            int i = index(at);
            failed = copyPayload(i + F_PAYLOAD, array, buffer, from, len);
            buf.putInt(i + F_CHECKSUM, checksum(buf, i + F_PAYLOAD, len, sequence, TYPE_DATA));
            sealAlone(t, at, TYPE_DATA, len, sequence);
        } else {
            long at = reserveAlone(t, TYPE_DATA, len);
            failed = copyPayload(index(at) + F_PAYLOAD, array, buffer, from, len);
            finishAlone(t, at, TYPE_DATA, len, sequence);
        }
        if (failed != null) {
            throw copyFailure(failed); // the record is written (as zeros); the lock is free
        }
        return sequence;
    }

    private void checkLength(int len) {
        if (len > maxRecord) {
            throw new IllegalArgumentException("trace record of " + len + " bytes is larger than the ring's maximum"
                    + " record size of " + maxRecord + " bytes (ring capacity " + capacity + " bytes)");
        }
    }

    // ------------------------------------------------------------------------------- uncontended path

    /**
     * One-pass write of a small record, lock held, step 1: places a frame of {@code frame} bytes after
     * {@code t} (after padding if it would cross the end) and makes room. The caller then writes the
     * payload and checksum at the returned position, and {@link #sealAlone} finishes.
     */
    private long placeAlone(long t, int frame) {
        long at = place(t, frame);
        makeRoom(t, at + frame);
        return at;
    }

    /**
     * One-pass write, step 2, lock held: sequence, then the frame's first word (tag COMMITTED) and the
     * padding word before it if any, then the tail store, which publishes the record and drops the
     * lock. The record never shows a BUSY tag: nobody can see it before the tail moves past it, and a
     * reader of the file of a process killed in between finds the old bytes there, which fail the
     * sequence or checksum check (docs/TRACE.md, "One pass").
     */
    private void sealAlone(long t, long at, int type, int length, long sequence) {
        int i = index(at);
        long end = at + frameSize(length);
        buf.putLong(i + F_SEQUENCE, sequence);
        VarHandle.releaseFence(); // the payload, sequence and checksum before the first word: kill -9 order
        buf.putLong(i, word(length, TAG_COMMITTED, type, at == t ? end - t : 0));
        if (at != t) {
            buf.putLong(index(t), word((int) (at - t), TAG_COMMITTED, TYPE_PADDING, end - t));
        }
        publish(end, sequence + 1, false);
    }

    /**
     * Pass 1 of a round of one record, lock held: places the frame after {@code t} (after padding if it
     * would cross the end), makes room, writes the first header BUSY, publishes the tail and so drops
     * the lock. Returns the position of the record's frame.
     */
    private long reserveAlone(long t, int type, int length) {
        int frame = frameSize(length);
        long at = place(t, frame);
        long end = at + frame;
        makeRoom(t, end);
        if (at != t) {
            buf.putLong(index(t), word((int) (at - t), TAG_BUSY, TYPE_PADDING, end - t));
            buf.putLong(index(at), word(length, TAG_COMMITTED, type, 0)); // guarded by the BUSY padding before it
        } else {
            buf.putLong(index(t), word(length, TAG_BUSY, type, end - t));
        }
        publish(end, nextSequence() + 1, false);
        return at;
    }

    /** Pass 2 of a round of one record, after its payload is in place: sequence, checksum, commit. */
    private void finishAlone(long t, long at, int type, int length, long sequence) {
        int i = index(at);
        buf.putLong(i + F_SEQUENCE, sequence);
        buf.putInt(i + F_CHECKSUM, checksum(buf, i + F_PAYLOAD, length, sequence, type));
        commit(index(t));
    }

    // ----------------------------------------------------------------------------------------- state

    /** Ring bytes (the file or buffer is 64 bytes longer: the header). */
    public int capacity() {
        return capacity;
    }

    /** The largest record payload an append accepts. */
    public int maxRecordSize() {
        return maxRecord;
    }

    /**
     * Records overwritten so far: they left the ring before any reader that had not read them could.
     * Exact once the appends have returned; a reader's own share is {@link TraceReader#lost()}.
     */
    public long lost() {
        return lostOpaque();
    }

    /** Records appended so far (the next record's sequence number). */
    public long appended() {
        return appendedOpaque();
    }

    /** Records that a lock holder wrote for a waiting writer (contended appends combined into a batch). */
    public long combined() {
        return combinedOpaque();
    }

    /** The backing file, if the ring is mapped. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * Makes a mapped ring's file header exact (its {@code tail} and {@code appended}, otherwise
     * written only on eviction) and writes the ring's pages to the storage device
     * ({@link MappedByteBuffer#force()}), so the file survives an OS crash too; a {@code kill -9}
     * needs no force. Takes the tail lock for a moment, like an append: it may wait for writers.
     * No effect on a heap ring.
     */
    public void force() {
        if (mapped != null) {
            syncHeader();
            mapped.force();
        }
    }

    /**
     * Makes the header's tail and appended exact (they are only written when a chunk is evicted):
     * takes the tail lock, waiting like a writer, writes them, and unlocks, writing any records queued
     * meanwhile. Then a reader of the file finds every record without walking past the header's tail.
     */
    void syncHeader() {
        long t = lockTail();
        mirrorTail(t, nextSequence());
        unlockWritingWaiters(t, null);
    }

    @Override
    public String toString() {
        return "TraceRing[" + (file == null ? "heap" : file.toString()) + ", capacity " + capacity + ", appended "
                + appended() + ", lost " + lost() + "]";
    }

    // ------------------------------------------------------------------------ for TraceReader and tests

    /** The header and ring bytes, for a live {@link TraceReader}. */
    ByteBuffer buffer() {
        return buf;
    }

    /** Lock held (from {@link #lockTail()}): writes every queued record and releases the lock. */
    void unlockTail(long t) {
        unlockWritingWaiters(t, null);
    }
}
