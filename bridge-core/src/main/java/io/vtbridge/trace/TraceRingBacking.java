package io.vtbridge.trace;

import io.vtbridge.internal.Failures;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.vtbridge.trace.TraceLayout.F_TAG;
import static io.vtbridge.trace.TraceLayout.HEADER;
import static io.vtbridge.trace.TraceLayout.TAG_COMMITTED;

/**
 * Where the bytes of a {@link TraceRing} live, and the stores into them that every write path
 * shares: a heap buffer ({@link ByteBuffer#allocate}) or a memory-mapped file
 * ({@link FileChannel#map}) of {@value TraceLayout#HEADER} header bytes followed by the ring; the
 * file header, whose constant part is written once here and whose mirror of the ring's state
 * ({@link #mirrorEviction}, {@link #mirrorTail}) the eviction and {@link TraceRing#force()} write;
 * where a frame goes ({@link #place}, {@link #index}); the commit of a round; the copy of a caller's
 * payload.
 *
 * <p>The ring is one object built of layers, each a superclass of the next and each one role:
 * <pre>
 *   TraceRingBacking     the bytes: heap or mapped file, file header, frame positions, commit, copy
 *   TraceRingTail        the tail lock (bit 63 of the tail), publication, the appended counter
 *   TraceRingEviction    oldest and lost: making room for a round, a chunk at a time
 *   TraceRingCombining   the queue of contended writers and the rounds that write their records
 *   TraceRing            the API: factories, the append paths, counters, force
 * </pre>
 * Layers, not objects the ring points to: every field an append touches stays in the one ring
 * object, read without a load through another object, and every call between layers is a direct
 * call of a final method.
 *
 * <p><b>The file header:</b> its {@code oldest} and {@code lost} are written on every eviction,
 * before the evicted bytes are overwritten; {@code tail} and {@code appended} only then too, and on
 * {@link TraceRing#force()}: written on every append they would move one more cache line between the
 * writers' cores. A reader of the file walks on past the header's tail while the records go on
 * ({@link TraceReader}). The ring's bytes are the same on both backings, and so is every access to
 * them: a heap buffer supports no atomic access mode, so the commit tag is a plain byte store after a
 * {@code releaseFence} (package-info).
 *
 * <p><b>Threading:</b> the fields are final, set before the ring is handed out. {@link #place} and
 * {@link #index}: any thread (pure). {@link #mirrorEviction} and {@link #mirrorTail}: the holder of
 * the tail lock only. {@link #commit} and {@link #copyPayload}: the writer that planned the frames
 * they write, with the lock held or its round published (who may write which bytes when:
 * {@link TraceRing}'s class comment).
 */
abstract class TraceRingBacking {

    final ByteBuffer buf;          // header + ring, little-endian; who writes which bytes: see TraceRing's class comment
    final MappedByteBuffer mapped; // the same buffer when file-backed, else null
    final Path file;               // the backing file, or null
    final int capacity;            // ring bytes, a power of two
    final int mask;                // capacity - 1
    final int maxRecord;           // largest payload accepted

    /** Writes the header's constant part; the rest of the header (oldest, tail, lost, appended) and the ring start as zeros. */
    TraceRingBacking(ByteBuffer buffer, MappedByteBuffer mapped, Path file, int capacity, int maxRecord) {
        this.buf = buffer.order(ByteOrder.LITTLE_ENDIAN);
        this.mapped = mapped;
        this.file = file;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxRecord = maxRecord;
        buf.putLong(TraceLayout.H_MAGIC, TraceLayout.MAGIC);
        buf.putInt(TraceLayout.H_VERSION, TraceLayout.VERSION);
        buf.putInt(TraceLayout.H_HEADER_SIZE, HEADER);
        buf.putInt(TraceLayout.H_CAPACITY, capacity);
        buf.putInt(TraceLayout.H_MAX_RECORD, maxRecord);
    }

    /** A heap buffer of {@code 64 + capacity} bytes: the header and the ring. */
    static ByteBuffer heapBuffer(int capacity) {
        return ByteBuffer.allocate(HEADER + capacity);
    }

    /** {@code file}, created or truncated to {@code 64 + capacity} bytes, mapped read-write. */
    static MappedByteBuffer mapFile(Path file, int capacity) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            // the mapping stays valid after the channel is closed
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + capacity);
        }
    }

    // --------------------------------------------------------------------------------- file header

    /**
     * Lock held, on an eviction: the header's mirror of the ring's state, for a reader of the file
     * after a crash. {@code oldest} and {@code lost} exact; {@code tail} and {@code appended} as of
     * the round's start, a lower bound the reader walks on from ({@link TraceReader}).
     */
    final void mirrorEviction(long tail, long appended, long oldest, long lost) {
        // tail before oldest: the header never shows tail < oldest, even to a reader of the file of a
        // process killed between the two stores (oldest may move up to tail)
        mirrorTail(tail, appended);
        buf.putLong(TraceLayout.H_OLDEST, oldest);
        buf.putLong(TraceLayout.H_LOST, lost);
    }

    /** Lock held: the header's {@code tail} and the sequence number of the record there, {@code appended}. */
    final void mirrorTail(long tail, long appended) {
        buf.putLong(TraceLayout.H_TAIL, tail);
        buf.putLong(TraceLayout.H_APPENDED, appended);
    }

    // ------------------------------------------------------------------------------ frame positions

    /** Where a frame of {@code frame} bytes goes when the previous one ends at {@code pos}: there, or at the next lap. */
    final long place(long pos, int frame) {
        int room = capacity - (int) (pos & mask);
        return frame <= room ? pos : pos + room;
    }

    /** The buffer index of ring position {@code pos}. */
    final int index(long pos) {
        return HEADER + (int) (pos & mask);
    }

    // --------------------------------------------------------------------------------- frame stores

    /** Marks the round whose first frame is at buffer index {@code first} complete. */
    final void commit(int first) {
        VarHandle.releaseFence(); // every byte of the round before its first tag: pairs with the acquireFence after a tag load
        buf.put(first + F_TAG, TAG_COMMITTED);
    }

    /**
     * Copies a DATA payload into the ring, from {@code array} or else {@code src}, with the lock held
     * or a round published. A buffer is the one source the ring does not control (another thread
     * may move its limit meanwhile); an array's range was checked by the append. If it throws, the
     * ring must not be left locked, or a round BUSY forever: the payload is zeroed, the record is
     * written (as zeros, with a valid checksum), and the caller throws what the copy threw
     * ({@link #copyFailure}). Returns it, or null.
     */
    final Throwable copyPayload(int at, byte[] array, ByteBuffer src, int index, int length) {
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

    /**
     * What the append whose payload copy failed throws, once its record is written: {@code failure}
     * itself if it is unchecked (thrown from here), else an {@link IllegalStateException} around it,
     * returned for the caller to throw (a checked exception cannot come out of a buffer copy).
     */
    static IllegalStateException copyFailure(Throwable failure) {
        Failures.throwIfUnchecked(failure);
        return new IllegalStateException(failure);
    }
}
