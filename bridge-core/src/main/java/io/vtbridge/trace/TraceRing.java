package io.vtbridge.trace;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.internal.NonBlockingThread;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

import static io.vtbridge.trace.TraceLayout.F_CHECKSUM;
import static io.vtbridge.trace.TraceLayout.F_LENGTH;
import static io.vtbridge.trace.TraceLayout.F_PAYLOAD;
import static io.vtbridge.trace.TraceLayout.F_SEQUENCE;
import static io.vtbridge.trace.TraceLayout.F_TAG;
import static io.vtbridge.trace.TraceLayout.F_TYPE;
import static io.vtbridge.trace.TraceLayout.HEADER;
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
 * evicts only what the round needs. Design notes, the file layout and the mapping to HAProxy's "ring v2" (seed 002):
 * docs/TRACE.md.
 *
 * <h2>How a write goes</h2>
 * {@code tail} is the byte position (a count since the start, never wrapped) where the next record
 * goes; its top bit is a lock bit. The writer that sets the bit with one CAS is the <em>lock holder</em>.
 * A writer that finds it set loads {@code tail} a couple more times ({@value #TAIL_SPINS}), with a
 * CAS only when it sees the bit clear: the uncontended path holds the lock for a few dozen
 * nanoseconds.
 * <p>A lock holder that finds no waiter and a record of at most {@value #ONE_PASS_FRAME} bytes with
 * its frame (every event) writes it in <b>one pass</b>, the lock held throughout:
 * <pre>
 *   make room (evict a chunk if needed), copy payload, sequence, checksum
 *   releaseFence; first word := length, tag COMMITTED, type
 *   setRelease(tail, end)                        publishes the record and drops the lock bit
 * </pre>
 * A larger record, or a batch with waiters' records, is a <b>round</b> in two passes, the seed's
 * scheme, so the next writer can take the lock while this one copies:
 * <pre>
 *   pass 1, holding the lock (short, no copy)
 *     plan the round: every record's position and sequence number; padding where a record would cross the end
 *     make room: advance oldest over whole records, counting them in lost (waits if the oldest is still BUSY)
 *     write the round's first frame header with tag BUSY
 *     setRelease(tail, end)                      publishes the round and drops the lock bit
 *   pass 2, lock free for the next writer
 *     copy every record of the round, with its header (tag COMMITTED) and checksum
 *     releaseFence; first tag := COMMITTED       the whole round becomes readable at once
 *     release the waiting writers whose records were in the round
 * </pre>
 * For a record of 40 bytes the copy is shorter than the second pass would be; for a large one,
 * releasing the lock before the copy lets the next writer in sooner.
 * The first frame of a round also records the round's length, so a reader of the file of a process
 * that died while a round was being copied can step over that round to the committed ones after it
 * ({@link TraceReader#skipUncommitted()}).
 * A writer that still finds the bit set after its few loads does not go on spinning on
 * {@code tail}: it pushes a descriptor of its record onto {@code queue} (a lock-free stack) and
 * waits. Only the descriptor on top of the stack watches {@code tail}; the others watch their own
 * {@code done} flag. Whoever next takes the lock (a newcomer or the top waiter) detaches the whole
 * stack and writes its records in its round, so the more writers wait, the larger the batch that one
 * lock acquisition writes. A batch larger than a round (the ring, at most 512 KiB) is written in
 * several rounds under one lock hold.
 *
 * <p><b>The file header:</b> {@code oldest} and {@code lost} are written on every eviction, before
 * the evicted bytes are overwritten; {@code tail} and {@code appended} only then too, and on
 * {@link #force()}: written on every append they would move one more cache line between the
 * writers' cores. A reader of the file walks on past the header's tail while the records go on
 * ({@link TraceReader}).
 *
 * <p><b>Order and durability:</b> an append returns only after its record is committed (written
 * whole with tag COMMITTED before the tail moves past it, or its round's first tag is COMMITTED), so
 * records of one thread are in the ring in the order it appended them,
 * and a record whose append has returned survives a {@code kill -9} of a process with a mapped ring.
 * Rounds commit independently: a writer never waits for an earlier round's copy to finish (the seed's
 * point), so a killed process may leave an uncommitted round with committed ones after it; the
 * reader stops there and can skip it.
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
 * holder that writes its record.
 * <ul>
 *   <li>A queued platform writer parks ({@link LockSupport#parkNanos}) as soon as it finds its
 *       record not yet written, and nobody unparks it: an unpark per record would cost the lock
 *       holder a system call for every waiter it writes for. Its record is written meanwhile by
 *       whoever holds the lock next, and a queued writer holds nothing, so sleeping stalls no one.
 *       The park is {@value #MIN_PARK_NANOS} ns, and doubles, up to {@value #MAX_PARK_NANOS} ns,
 *       while the thread's appends keep queueing (it queues again sooner after its last queued
 *       append returned than that one's park). With more writers than cores, the waiting ones then
 *       stay out of the way, and the running ones append without fighting them for the cache lines
 *       and the CPU; on a bridge, spinning pool threads would also take CPU from the shard loops
 *       (docs/BENCHMARKS.md). The cost is latency: a contended append takes at least one park to
 *       return, and up to {@value #MAX_PARK_NANOS} ns while contention lasts. That is a bound,
 *       where {@link Thread#yield()} gives none.</li>
 *   <li>A bridge loop thread ({@link NonBlockingThread}) never parks: it carries its shard's virtual
 *       threads. It spins a little, then yields.</li>
 *   <li>A queued virtual thread spins a little, then yields ({@link Thread#yield()}), handing its
 *       carrier to other virtual threads, and after {@value #YIELDS_BEFORE_PARKING} yields parks
 *       as a platform writer does: on JDK 25's default scheduler, virtual threads that yield in a
 *       loop can keep others from running at all (two of them on two carriers kept a third from
 *       starting for 3 s in a stand-alone check).</li>
 *   <li>A lock holder waiting for an older round spins, then yields if it is a platform thread, and
 *       keeps spinning if it is a virtual thread: it is <em>inside a round</em> (from taking the lock
 *       to committing its round), and unmounting would hand its carrier, perhaps a shard loop that
 *       appends to this ring too, to code that may end up waiting for it: a deadlock. So every thread
 *       that others wait for is running.</li>
 * </ul>
 * Nothing inside a round parks, allocates or calls user code.
 *
 * <p><b>Threading:</b> every {@code append} may be called by any number of threads at once, platform
 * or virtual. {@link #lost()}, {@link #appended()} and {@link #combined()} may be read from any thread
 * (they can lag an append that has not returned yet). Readers: {@link TraceReader#of(TraceRing)}, any
 * number of them; they never slow a writer down.
 */
public final class TraceRing {

    /** Record type of {@link #append(byte[], int, int)} and {@link #append(ByteBuffer)}: opaque bytes. */
    public static final int TYPE_DATA = TraceLayout.TYPE_DATA;
    /** Record type of {@link #appendEvent}: a {@link TraceEvent}. */
    public static final int TYPE_EVENT = TraceLayout.TYPE_EVENT;

    /** The lock bit of {@code tail}; positions stay below 2^63. */
    private static final long LOCKED = Long.MIN_VALUE;
    private static final long FREE = -1; // what tryLockTail returns when it did not get the lock
    /** Loads of a held tail a writer makes before it queues (test-and-test-and-set: a CAS only when seen free). */
    private static final int TAIL_SPINS = 2;
    /** Spins of a wait before it yields: a virtual thread, a loop thread, or a lock holder waiting for a round. */
    private static final int SPINS_BEFORE_BACKING_OFF = 16;
    /** Yields of a queued virtual thread before it parks between checks instead (see "Waiting"). */
    private static final int YIELDS_BEFORE_PARKING = 16;
    /** The shortest park of a queued platform writer; nobody unparks it (see "Waiting"). */
    static final long MIN_PARK_NANOS = 25_000;
    /** The longest: a writer queued append after append doubles its park up to this. */
    static final long MAX_PARK_NANOS = 1_000_000;
    /** Records whose frame is at most this many bytes are copied under the lock, in one pass. */
    static final int ONE_PASS_FRAME = 256;
    /**
     * Rings of at least this many bytes evict in chunks: an eviction frees a sixteenth of the ring
     * (at most {@value #MAX_SLACK} bytes) beyond what the new round needs. A smaller ring evicts just
     * what it needs: there a sixteenth may be less than one record, and one more evicted record a
     * large share of what the ring holds.
     */
    static final int CHUNKED_EVICTION_MIN = 64 * 1024;
    private static final int MAX_SLACK = 64 * 1024;
    private static final int EVENT_FRAME = frameSize(TraceEvent.SIZE);
    private static final ThreadLocal<Node> NODES = ThreadLocal.withInitial(Node::new);

    private static final VarHandle TAIL;
    private static final VarHandle OLDEST;
    private static final VarHandle LOST;
    private static final VarHandle APPENDED;
    private static final VarHandle COMBINED;
    private static final VarHandle QUEUE;
    private static final VarHandle DONE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(TraceRing.class, "tail", long.class);
            OLDEST = l.findVarHandle(TraceRing.class, "oldest", long.class);
            LOST = l.findVarHandle(TraceRing.class, "lost", long.class);
            APPENDED = l.findVarHandle(TraceRing.class, "appended", long.class);
            COMBINED = l.findVarHandle(TraceRing.class, "combined", long.class);
            QUEUE = l.findVarHandle(TraceRing.class, "queue", Node.class);
            DONE = l.findVarHandle(Node.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * What a contended writer leaves in the queue: its record (by reference: the writer waits until
     * it is copied) and, once written, its sequence number.
     */
    static final class Node {
        Node next;            // written by the owner before the CAS that pushes it (the CAS publishes it)
        int type;             // owner, before the push
        int length;           // owner, before the push: payload bytes
        int frame;            // owner, before the push: frame bytes
        byte[] array;         // owner, before the push: DATA from an array (or null)
        ByteBuffer buffer;    // owner, before the push: DATA from a buffer (or null)
        int from;             // owner, before the push: where the DATA payload starts in array or buffer
        int eventWord;        // owner, before the push: EVENT shard/kind/phase
        long threadId;        // owner, before the push: EVENT
        long nanoTime;        // owner, before the push: EVENT
        long position;        // lock holder, pass 1; read by the same thread in pass 2
        long sequence;        // lock holder, before the setRelease of done; read by the owner after it
        Throwable failure;    // lock holder, as sequence: the copy of the owner's buffer failed (record written as zeros)
        long parkNanos;       // owner only: how long it parks while queued; kept across appends in a cached node
        long queuedEnd;       // owner only: System.nanoTime() when its last queued append returned
        boolean done;         // setRelease by the lock holder once the record is committed; getAcquire by the owner

        Node event(int word, long id, long time) {
            set(TYPE_EVENT, TraceEvent.SIZE);
            eventWord = word;
            threadId = id;
            nanoTime = time;
            return this;
        }

        /** DATA from {@code array[from ..]} or {@code buffer[from ..]} (the other null). */
        Node bytes(byte[] src, ByteBuffer srcBuffer, int start, int len) {
            set(TYPE_DATA, len);
            array = src;
            buffer = srcBuffer;
            from = start;
            return this;
        }

        private void set(int recordType, int len) {
            type = recordType;
            length = len;
            frame = frameSize(len);
            array = null;
            buffer = null;
            done = false;
            failure = null;
        }

        /**
         * The park of this queued append: twice the last one, up to {@link #MAX_PARK_NANOS}, if the
         * owner's last queued append returned less than that park ago (it keeps finding the tail
         * taken, append after append); else {@link #MIN_PARK_NANOS} (also for a fresh node: a
         * virtual thread's, which does not park anyway). Measured from the end of the last queued
         * append, not its start: a park sleeps longer than asked (the kernel's timer slack, 50 µs by
         * default), and that must not read as a gap. Owner only.
         */
        long adaptPark() {
            long p = parkNanos;
            p = p != 0 && System.nanoTime() - queuedEnd <= p ? Math.min(2 * p, MAX_PARK_NANOS) : MIN_PARK_NANOS;
            parkNanos = p;
            return p;
        }

        /**
         * After done: drops the references to the caller's data; returns the sequence number, or
         * throws what the copy of the caller's buffer threw (its record was written as zeros).
         */
        long finish() {
            array = null;
            buffer = null;
            next = null;
            Throwable f = failure;
            failure = null;
            rethrow(f);
            return sequence;
        }
    }

    private final ByteBuffer buf;          // header + ring, little-endian; who writes which bytes: see the class comment
    private final MappedByteBuffer mapped; // the same buffer when file-backed, else null
    private final Path file;               // the backing file, or null
    private final int capacity;            // ring bytes, a power of two
    private final int mask;                // capacity - 1
    private final int maxRecord;           // largest payload accepted
    private final int roundLimit;          // most bytes one round spans
    private final int slack;               // bytes an eviction frees beyond what the round needs

    private long tail;       // LOCKED | end of the reserved bytes: CAS by writers (lock); setRelease to publish a round (pairs with the getAcquire in TraceReader and with the next CAS)
    private long oldest;     // start of the oldest frame in the ring: lock holder only, setRelease + storeStoreFence; getAcquire by readers
    private long lost;       // records overwritten: lock holder only (plain read, setOpaque); getOpaque by others
    private long appended;   // records appended, the next sequence number: lock holder only (plain read, setOpaque); getOpaque by others
    private long combined;   // records written by a lock holder for another writer: lock holder only (setOpaque); getOpaque by others
    private Node queue;      // top of the stack of waiting writers: CAS push by writers, getAndSet(null) by the lock holder, getOpaque by the top waiter

    private TraceRing(ByteBuffer buffer, MappedByteBuffer mapped, Path file, int capacity, int maxRecord) {
        this.buf = buffer.order(ByteOrder.LITTLE_ENDIAN);
        this.mapped = mapped;
        this.file = file;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxRecord = maxRecord;
        this.roundLimit = TraceLayout.roundLimit(capacity);
        this.slack = capacity >= CHUNKED_EVICTION_MIN ? Math.min(capacity / 16, MAX_SLACK) : 0;
        buf.putLong(TraceLayout.H_MAGIC, TraceLayout.MAGIC);
        buf.putInt(TraceLayout.H_VERSION, TraceLayout.VERSION);
        buf.putInt(TraceLayout.H_HEADER_SIZE, HEADER);
        buf.putInt(TraceLayout.H_CAPACITY, capacity);
        buf.putInt(TraceLayout.H_MAX_RECORD, maxRecord);
        // the rest of the header (oldest, tail, lost, appended) and the ring start as zeros
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
        return new TraceRing(ByteBuffer.allocate(HEADER + capacity), null, null, capacity, maxRecordSize);
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
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            // the mapping stays valid after the channel is closed
            MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + capacity);
            return new TraceRing(m, m, file, capacity, maxRecordSize);
        }
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
        if (QUEUE.getOpaque(this) != null) {
            return writeWithWaiters(t, node().event(word, threadId, nanoTime));
        }
        long sequence = appended;
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
        if (QUEUE.getOpaque(this) != null) {
            return writeWithWaiters(t, node().bytes(array, buffer, from, len));
        }
        long sequence = appended;
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
        rethrow(failed);
        return sequence;
    }

    private void checkLength(int len) {
        if (len > maxRecord) {
            throw new IllegalArgumentException("trace record of " + len + " bytes is larger than the ring's maximum"
                    + " record size of " + maxRecord + " bytes (ring capacity " + capacity + " bytes)");
        }
    }

    /**
     * The tail lock for an append: one CAS, then, while another writer holds the lock, up to
     * {@value #TAIL_SPINS} loads of {@code tail}, with a CAS only when the bit is seen clear (a waiting
     * writer keeps the line shared instead of taking it from the holder on every try). A lock holder
     * on the uncontended path holds it for a few dozen nanoseconds, so a short wait here is cheaper
     * than the combining queue; a longer one means real contention, and the caller queues. Returns the
     * tail if this thread now holds the lock, else FREE.
     */
    private long acquireTail() {
        long t = tryLockTail();
        for (int spins = 0; t == FREE && spins < TAIL_SPINS; spins++) {
            Thread.onSpinWait();
            t = tryLockTail();
        }
        return t;
    }

    /** One CAS for the lock bit of tail: the tail (without the bit) if this thread now holds the lock, else FREE. */
    private long tryLockTail() {
        long t = (long) TAIL.getOpaque(this);
        return (t & LOCKED) == 0 && TAIL.compareAndSet(this, t, t | LOCKED) ? t : FREE;
    }

    private static Node node() {
        return Thread.currentThread().isVirtual() ? new Node() : NODES.get();
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
        publish(end, appended + 1, false);
        return at;
    }

    /** Pass 2 of a round of one record, after its payload is in place: sequence, checksum, commit. */
    private void finishAlone(long t, long at, int type, int length, long sequence) {
        int i = index(at);
        buf.putLong(i + F_SEQUENCE, sequence);
        buf.putInt(i + F_CHECKSUM, checksum(buf, i + F_PAYLOAD, length, sequence, type));
        commit(index(t));
    }

    // --------------------------------------------------------------------------------- contended path

    /** Lock held, waiters queued: writes this thread's record first, then the waiters'. */
    private long writeWithWaiters(long t, Node own) {
        own.next = (Node) QUEUE.getAndSet(this, null);
        writeRounds(t, own, own);
        return own.finish();
    }

    /** Tail locked by someone else: queue the record and wait until a lock holder has written it. */
    private long combine(Node node) {
        Node top;
        do {
            top = (Node) QUEUE.getOpaque(this);
            node.next = top;
        } while (!QUEUE.compareAndSet(this, top, node)); // publishes the node's fields to the getAndSet of the lock holder
        long park = node.adaptPark();
        Thread me = Thread.currentThread();
        for (int spins = 0; !(boolean) DONE.getAcquire(node); spins++) { // pairs with the setRelease in writeRounds
            // The top of the stack watches the tail (seed: one waiter bounces the tail's cache line,
            // the rest wait on their own node). The top is the newest waiter; it leads until another
            // pushes over it or a lock holder detaches the stack. A waiter that never parks (a loop
            // thread, a virtual thread) also takes a free lock wherever its node is: the top may be a
            // platform writer asleep for up to MAX_PARK_NANOS, and a shard loop must not wait for it.
            if (!parks(me, false) || QUEUE.getOpaque(this) == node) {
                long t = tryLockTail();
                if (t != FREE) {
                    // The stack may no longer hold this node (a lock holder detached it between the two
                    // reads above): then it is written by that holder, and this one writes what it finds.
                    unlockWritingWaiters(t, node);
                    continue;
                }
            }
            backOff(spins, false, park);
        }
        node.queuedEnd = System.nanoTime();
        return node.finish();
    }

    /** Lock held: writes every queued record (if any) and releases the lock. */
    private void unlockWritingWaiters(long t, Node self) {
        Node batch = (Node) QUEUE.getAndSet(this, null);
        if (batch != null) {
            writeRounds(t, batch, self);
        } else {
            TAIL.setRelease(this, t); // nothing to write: drop the lock bit (pairs with the next CAS)
        }
    }

    /**
     * Lock held: writes the records of the list starting at {@code head} in rounds of at most
     * {@code roundLimit} bytes, keeping the lock between rounds and dropping it when the last round is
     * published. {@code self} is the node of this thread, if it is in the list.
     */
    private void writeRounds(long t, Node head, Node self) {
        long start = t;
        Node n = head;
        while (n != null) {
            // pass 1 (lock held): plan the round [start, end) from n up to, not including, m
            long sequence = appended;
            long end = start;
            int others = 0;
            Node m = n;
            do {
                long at = place(end, m.frame);
                if (at + m.frame - start > roundLimit) {
                    break; // the round is full; the first record always fits (frame <= roundLimit / 2)
                }
                m.position = at;
                m.sequence = sequence++;
                end = at + m.frame;
                if (m != self) {
                    others++;
                }
                m = m.next;
            } while (m != null);
            makeRoom(start, end);
            if (n.position != start) {
                buf.putLong(index(start), word((int) (n.position - start), TAG_BUSY, TYPE_PADDING, end - start));
            } else {
                buf.putLong(index(start), word(n.length, TAG_BUSY, n.type, end - start));
            }
            COMBINED.setOpaque(this, combined + others);
            publish(end, sequence, m != null);

            // pass 2 (lock free unless more rounds follow): copy, then commit the round, then release its writers
            long previousEnd = start;
            for (Node x = n; x != m; x = x.next) {
                if (x.position != previousEnd && previousEnd != start) {
                    buf.putLong(index(previousEnd), word((int) (x.position - previousEnd), TAG_COMMITTED, TYPE_PADDING, 0));
                }
                writeFrame(x, x.position == start);
                previousEnd = x.position + x.frame;
            }
            commit(index(start));
            for (Node x = n; x != m; ) {
                Node next = x.next; // read before done: the owner may reuse its node at once
                DONE.setRelease(x, true); // the record is committed: pairs with the getAcquire in combine()
                x = next;
            }
            n = m;
            start = end;
        }
    }

    /** Pass 2 for one queued record: payload, sequence, checksum, and (unless it opens the round) its header. */
    private void writeFrame(Node x, boolean first) {
        int at = index(x.position);
        if (x.type == TYPE_EVENT) {
            TraceEvent.put(buf, at + F_PAYLOAD, x.eventWord, x.threadId, x.nanoTime);
        } else {
            x.failure = copyPayload(at + F_PAYLOAD, x.array, x.buffer, x.from, x.length);
        }
        buf.putLong(at + F_SEQUENCE, x.sequence);
        buf.putInt(at + F_CHECKSUM, checksum(buf, at + F_PAYLOAD, x.length, x.sequence, x.type));
        if (!first) {
            buf.putLong(at + F_LENGTH, word(x.length, TAG_COMMITTED, x.type, 0)); // guarded by the round's BUSY first tag
        }
    }

    // --------------------------------------------------------------------------------- shared steps

    /**
     * Lock held, for a round {@code [from, end)}: if it does not fit in the ring, advances
     * {@code oldest} over whole frames until it fits with {@code slack} bytes to spare (or up to
     * {@code from}), counting the records it passes in {@code lost}. Evicting a chunk at a time, not
     * one record per append, keeps the uncontended append short and lets the header mirror be written
     * once per chunk. A frame still BUSY belongs to a round whose writer is copying: wait for its
     * commit, never overwrite it.
     */
    private void makeRoom(long from, long end) {
        long o = oldest; // plain: only lock holders write it, and the lock orders them
        if (end - o <= capacity) {
            return;
        }
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
        OLDEST.setRelease(this, o); // pairs with the getAcquire in TraceReader: a reader that jumps to oldest finds committed frames
        LOST.setOpaque(this, total);
        // The header mirror for a reader of the file after a crash: oldest and lost exact, tail and
        // appended as of this round's start (a lower bound the reader walks on from, TraceReader).
        // tail before oldest: the header never shows tail < oldest, even to a reader of the file of a
        // process killed between the two stores (oldest may move up to from)
        buf.putLong(TraceLayout.H_TAIL, from);
        buf.putLong(TraceLayout.H_APPENDED, appended);
        buf.putLong(TraceLayout.H_OLDEST, o);
        buf.putLong(TraceLayout.H_LOST, total);
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
            backOff(spins, true, 0);
        }
    }

    /**
     * Lock held: the appended counter for a round ending at {@code end}, then the tail store. The
     * header's tail and appended are not written here, only when a chunk is evicted and by
     * {@link #force()}: on every append they would move one more cache line between the writers' cores.
     */
    private void publish(long end, long appendedAfter, boolean keepLock) {
        APPENDED.setOpaque(this, appendedAfter);
        // The round's first header (BUSY), or a one-pass record whole, before the new tail: pairs with
        // the getAcquire of tail in TraceReader and with the CAS of the next lock holder. Without the
        // lock bit it is the unlock.
        TAIL.setRelease(this, keepLock ? end | LOCKED : end);
    }

    /** Marks the round whose first frame is at buffer index {@code first} complete. */
    private void commit(int first) {
        VarHandle.releaseFence(); // every byte of the round before its first tag: pairs with the acquireFence after a tag load
        buf.put(first + F_TAG, TAG_COMMITTED);
    }

    /**
     * Copies a DATA payload into the ring, from {@code array} or else {@code src}, with the lock held
     * or a round published. A buffer is the one source the ring does not control (another thread
     * may move its limit meanwhile); an array's range was checked by the append. If it throws, the ring must not be left locked, or a round BUSY forever:
     * the payload is zeroed, the record is written (as zeros, with a valid checksum), and the
     * caller throws what the copy threw. Returns it, or null.
     */
    private Throwable copyPayload(int at, byte[] array, ByteBuffer src, int index, int length) {
        if (array != null) {
            buf.put(at, array, index, length); // bounds checked by append; an array cannot change length
            return null;
        }
        try {
            buf.put(at, src, index, length);
            return null;
        } catch (Throwable e) {
            for (int i = 0; i < length; i++) {
                buf.put(at + i, (byte) 0);
            }
            return e;
        }
    }

    private static void rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(e); // a checked exception cannot come out of a buffer copy
        }
    }

    /** Where a frame of {@code frame} bytes goes when the previous one ends at {@code pos}: there, or at the next lap. */
    private long place(long pos, int frame) {
        int room = capacity - (int) (pos & mask);
        return frame <= room ? pos : pos + room;
    }

    private int index(long pos) {
        return HEADER + (int) (pos & mask);
    }

    /**
     * One turn of a wait. A queued platform writer that is not a bridge loop thread parks for
     * {@code parkNanos} at once. Any other thread spins a little; then a virtual thread inside a
     * round keeps spinning, and a lock holder, another virtual thread or a loop thread yields (see
     * "Waiting" in the class comment).
     */
    private static void backOff(int spins, boolean inRound, long parkNanos) {
        Thread me = Thread.currentThread();
        if (parks(me, inRound)) {
            LockSupport.parkNanos(parkNanos); // a queued platform writer: at once (see "Waiting")
        } else if (spins < SPINS_BEFORE_BACKING_OFF || (inRound && me.isVirtual())) {
            Thread.onSpinWait();
        } else if (me.isVirtual() && spins >= SPINS_BEFORE_BACKING_OFF + YIELDS_BEFORE_PARKING && !me.isInterrupted()) {
            // a queued virtual thread that has yielded a while: Thread.yield alone can starve other
            // virtual threads (JDK 25, default scheduler: two threads yielding in a loop on two
            // carriers kept a third from starting for 3 s). A timed park unmounts it for real.
            LockSupport.parkNanos(parkNanos);
        } else {
            Thread.yield();
        }
    }

    /**
     * Whether {@code me} waits by parking: a platform thread that is not a bridge loop thread, waiting
     * outside a round, and not interrupted (parkNanos returns at once while the interrupt flag is set,
     * and the flag is the caller's, not ours to clear: such a thread spins and yields instead).
     */
    private static boolean parks(Thread me, boolean inRound) {
        return !inRound && !me.isVirtual() && !(me instanceof NonBlockingThread) && !me.isInterrupted();
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
        return (long) LOST.getOpaque(this);
    }

    /** Records appended so far (the next record's sequence number). */
    public long appended() {
        return (long) APPENDED.getOpaque(this);
    }

    /** Records that a lock holder wrote for a waiting writer (contended appends combined into a batch). */
    public long combined() {
        return (long) COMBINED.getOpaque(this);
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
        buf.putLong(TraceLayout.H_TAIL, t);
        buf.putLong(TraceLayout.H_APPENDED, appended);
        unlockWritingWaiters(t, null);
    }

    @Override
    public String toString() {
        return "TraceRing[" + (file == null ? "heap" : file.toString()) + ", capacity " + capacity + ", appended "
                + appended() + ", lost " + lost() + "]";
    }

    // ------------------------------------------------------------------------ for TraceReader and tests

    ByteBuffer buffer() {
        return buf;
    }

    /** The start of the oldest frame; frames there are committed or BUSY, never torn. */
    long oldestAcquire() {
        return (long) OLDEST.getAcquire(this); // pairs with the setRelease in makeRoom
    }

    /** The end of the published rounds (lock bit cleared). */
    long tailAcquire() {
        return (long) TAIL.getAcquire(this) & ~LOCKED; // pairs with the setRelease in publish
    }

    /**
     * Waits until this thread holds the tail lock, as a queued writer waits (a platform thread parks
     * 25 µs between tries); returns the tail. For {@link #force()}, and for tests: makes every writer
     * queue.
     */
    long lockTail() {
        for (int spins = 0; ; spins++) {
            long t = tryLockTail();
            if (t != FREE) {
                return t;
            }
            backOff(spins, false, MIN_PARK_NANOS);
        }
    }

    /** Lock held (from {@link #lockTail()}): writes every queued record and releases the lock. */
    void unlockTail(long t) {
        unlockWritingWaiters(t, null);
    }

    /** Writers waiting in the queue now (a racy count, for tests). */
    int queuedWriters() {
        int n = 0;
        for (Node x = (Node) QUEUE.getAcquire(this); x != null; x = x.next) {
            n++;
        }
        return n;
    }
}
