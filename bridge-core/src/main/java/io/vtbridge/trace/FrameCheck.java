package io.vtbridge.trace;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.vtbridge.trace.TraceLayout.F_CHECKSUM;
import static io.vtbridge.trace.TraceLayout.F_LENGTH;
import static io.vtbridge.trace.TraceLayout.F_PAYLOAD;
import static io.vtbridge.trace.TraceLayout.F_SEQUENCE;
import static io.vtbridge.trace.TraceLayout.F_TAG;
import static io.vtbridge.trace.TraceLayout.F_TYPE;
import static io.vtbridge.trace.TraceLayout.HEADER;
import static io.vtbridge.trace.TraceLayout.TAG_BUSY;
import static io.vtbridge.trace.TraceLayout.TAG_COMMITTED;
import static io.vtbridge.trace.TraceLayout.TYPE_DATA;
import static io.vtbridge.trace.TraceLayout.TYPE_EVENT;
import static io.vtbridge.trace.TraceLayout.TYPE_PADDING;
import static io.vtbridge.trace.TraceLayout.frameSize;

/**
 * The one check of a frame that every reader makes, of a live ring ({@link LiveReader}) or of a ring
 * image ({@link RecoveryReader}, which also uses it for its look-ahead past a damaged frame): reads
 * the frame at a position (commit tag, then type and length, then sequence number, checksum and
 * payload) and says what it is ({@link Frame}), leaving what it read in its fields. It decides
 * nothing about where the data ends or whether a live copy was overrun: the readers do, from the
 * verdict.
 *
 * <p>A check that copies puts the payload into the reader's scratch array
 * and computes the checksum from that copy: a live ring may overwrite the frame meanwhile, and only
 * the copy is validated afterwards (against {@code oldest}, by the live reader); the copy is also
 * what {@link TraceReader#payload()} shows. A check that does not copy computes the checksum in
 * place: the recovery reader's look-ahead, in an image that does not change.
 *
 * <p><b>Threading:</b> the reader's thread only (a reader is a cursor: one thread at a time). The
 * ring's bytes may be written meanwhile by the ring's writers; the tag load and its
 * {@code acquireFence} order the frame's other loads after it.
 */
final class FrameCheck {

    /** What a frame is. */
    enum Frame {
        /** A committed record, intact: {@link #sequence}, {@link #length}, {@link #type}; the payload in the scratch. */
        RECORD,
        /** A committed padding frame of {@link #length} bytes, to the end of the ring. */
        PADDING,
        /** Tag BUSY: the first frame of a round whose writer has not committed it. */
        BUSY,
        /** A tag that is neither BUSY nor COMMITTED ({@link #tag}; zero: never written). */
        BAD_TAG,
        /** Committed, but its type or length is impossible ({@link #impossible}). */
        BAD_FRAME,
        /** The image ends inside the frame: it needs bytes up to {@link #needed} (ring offset). */
        TRUNCATED,
        /** A committed record whose bytes do not match its checksum ({@link #stored}, {@link #actual}). */
        CHECKSUM
    }

    final ByteBuffer buf;        // the ring's buffer, or the image; little-endian, index 0 = header start
    final int capacity;          // ring bytes
    final int mask;              // capacity - 1
    final int maxRecord;         // largest payload a record may have
    final int available;         // ring bytes present: capacity, or less for a truncated image
    final byte[] scratch;        // where a copying check puts the payload (the current record's), or null: checksum in place
    final ByteBuffer payload;    // little-endian read-only view of scratch (limit: the last payload's length), or null

    // what the last check found (the reader's thread only)
    byte tag;                    // the commit tag
    int length;                  // payload bytes (PADDING: the frame's bytes)
    int type;                    // DATA, EVENT, PADDING, or what was there
    long sequence;               // RECORD, CHECKSUM: the stored sequence number
    int stored;                  // RECORD, CHECKSUM: the stored checksum
    int actual;                  // RECORD, CHECKSUM: the checksum of the bytes
    int needed;                  // TRUNCATED: the ring offset up to which the frame needs bytes

    /** A check of the frames in {@code buf}; one that {@code copies} has a scratch array of {@code maxRecord} bytes. */
    FrameCheck(ByteBuffer buf, int capacity, int maxRecord, int available, boolean copies) {
        this.buf = buf;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxRecord = maxRecord;
        this.available = available;
        this.scratch = copies ? new byte[maxRecord] : null;
        this.payload = copies ? ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer()
                .order(ByteOrder.LITTLE_ENDIAN) : null;
    }

    /** Reads and checks the frame at ring position {@code position}. */
    Frame check(long position) {
        int off = (int) (position & mask);
        int at = HEADER + off;
        if (off + 8 > available) {
            needed = off + 8;
            return Frame.TRUNCATED;
        }
        tag = buf.get(at + F_TAG);
        VarHandle.acquireFence(); // the tag before the rest of the frame: pairs with the releaseFence in TraceRingBacking.commit
        length = buf.getInt(at + F_LENGTH);
        type = buf.get(at + F_TYPE) & 0xFF;
        if (tag != TAG_COMMITTED) {
            return tag == TAG_BUSY ? Frame.BUSY : Frame.BAD_TAG;
        }
        if (impossible(off, type, length)) {
            return Frame.BAD_FRAME;
        }
        if (type == TYPE_PADDING) {
            return Frame.PADDING;
        }
        if (off + F_PAYLOAD + length > available) {
            needed = off + F_PAYLOAD + length;
            return Frame.TRUNCATED;
        }
        sequence = buf.getLong(at + F_SEQUENCE);
        stored = buf.getInt(at + F_CHECKSUM);
        if (scratch != null) {
            buf.get(at + F_PAYLOAD, scratch, 0, length);
            payload.clear().limit(length);
            actual = TraceLayout.checksum(payload, 0, length, sequence, type);
        } else {
            actual = TraceLayout.checksum(buf, at + F_PAYLOAD, length, sequence, type);
        }
        return actual == stored ? Frame.RECORD : Frame.CHECKSUM;
    }

    /**
     * Whether a frame at ring offset {@code off} with this type and length cannot be: a padding frame
     * that does not run to the end of the ring, an unknown type, or a record that does not fit.
     */
    boolean impossible(int off, int type, int length) {
        if (type == TYPE_PADDING) {
            return length != capacity - off;
        }
        return (type != TYPE_DATA && type != TYPE_EVENT) || length < 0 || length > maxRecord
                || off + frameSize(length) > capacity;
    }

    /** The bytes of the round that the frame at {@code position} opens (0 if it opens none). */
    long roundBytes(long position) {
        return (buf.getShort(HEADER + (int) (position & mask) + TraceLayout.F_ROUND) & 0xFFFFL) * 8;
    }
}
