package io.vtbridge.trace;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

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
 * Decodes the records of a {@link TraceRing} one by one, oldest first: of a live ring in this
 * process ({@link #of(TraceRing)}), or of a ring file or image ({@link #open(Path)},
 * {@link #snapshot(ByteBuffer)}), including the file of a process that was killed in the middle of an
 * append. {@link #next()} returns {@code false} where valid data ends, and {@link #stop()} with
 * {@link #stopDetail()} says why.
 *
 * <p><b>Live:</b> the reader starts at the first record ever appended and never holds writers up:
 * writers may overwrite a record while it is being copied out, so every copy is validated afterwards
 * against the ring's {@code oldest} position (the check of a sequence lock) and retried from the new
 * oldest record if it was overrun. Records the reader never got, because they were overwritten first,
 * are counted in {@link #lost()}: at any time {@code read() + lost()} equals the sequence number of the
 * next record it will return, so once caught up it equals {@link TraceRing#appended()}. A live reader
 * stops with {@link Stop#CAUGHT_UP}, {@link Stop#IN_PROGRESS} or {@link Stop#OVERRUN}, all transient:
 * call {@code next()} again later. Any other stop means a corrupt ring and is final.
 *
 * <p><b>Snapshot:</b> the walk goes from the header's {@code oldest} to its {@code tail}, checks each
 * frame (commit tag, type, length, checksum, consecutive sequence numbers) and stops at the first one
 * that fails, for good. The header's {@code tail} is a lower bound (the ring writes it when it evicts
 * old records and on {@link TraceRing#force()}, not on every append), so the walk goes on past it
 * while the frames hold intact records numbered one after the other, for at most one lap; the first
 * frame past it that does not is where the data ends ({@link Stop#CAUGHT_UP}; {@link #stopDetail()}
 * says what was there: zeros, or a record of an earlier lap). One exception: a record whose writer died before committing it stops the
 * walk with {@link Stop#UNCOMMITTED}, and {@link #skipUncommitted()} steps over its whole round (the
 * records after it in that round are not trusted) to the rounds after it. Those may well be committed:
 * rounds commit independently, and an append that returned had committed its own.
 *
 * <p>{@link #payload()} is a view of the reader's own copy: valid until the next call of {@code next()}.
 * No allocation per record.
 *
 * <p><b>Threading:</b> one thread at a time per reader (it is a cursor); any number of readers per ring.
 */
public final class TraceReader {

    /** Why {@link #next()} returned false. */
    public enum Stop {
        /** {@code next()} has not returned false yet. */
        NONE,
        /** Every record written so far has been read: the clean end. Live: more may come. */
        CAUGHT_UP,
        /** Live only: the next record is still being copied by its writer; try again. */
        IN_PROGRESS,
        /** Live only: writers overwrote the next record again and again while this reader copied it; try again. */
        OVERRUN,
        /**
         * Snapshot: the next record was never committed (its writer died, or was still copying it, when
         * the image was taken). {@link #skipUncommitted()} steps over its round.
         */
        UNCOMMITTED,
        /** Snapshot: the image ends inside the next record. */
        TRUNCATED,
        /** The next frame's commit tag is neither BUSY nor COMMITTED (zero: never written). */
        BAD_TAG,
        /** The next frame's type or length is impossible. */
        BAD_FRAME,
        /** The next record's bytes do not match its checksum. */
        CHECKSUM,
        /** Snapshot: the next record's sequence number does not follow the previous one's. */
        SEQUENCE_BREAK;

        /** Whether the stop is transient for a live reader: calling {@code next()} later may return more. */
        public boolean isTransient() {
            return this == CAUGHT_UP || this == IN_PROGRESS || this == OVERRUN;
        }
    }

    private static final int OVERRUNS_PER_CALL = 64;

    private final TraceRing ring;        // the live ring, or null for a snapshot
    private final ByteBuffer buf;        // the ring's buffer, or the image; little-endian, index 0 = header start
    private final int capacity;
    private final int mask;
    private final int maxRecord;
    private final int available;         // ring bytes present: capacity, or less for a truncated image
    private final long imageOldest;      // snapshot: header fields
    private final long imageTail;
    private final long imageLost;
    private final long imageAppended;
    private final byte[] scratch;        // the current record's payload
    private final ByteBuffer payload;    // little-endian read-only view of scratch

    private long position;               // where the next frame starts
    private long expected;               // the next sequence number expected
    private long lost;                   // records skipped because they were overwritten first
    private long read;                   // records returned
    private boolean resync = true;       // the next record may follow a gap: the first one, or one after a skipped round
    private long skippedRounds;          // uncommitted rounds stepped over
    private long recordPosition = -1;    // the current record
    private long recordSequence;
    private int recordLength;
    private int recordType;
    private Stop stop = Stop.NONE;       // the last stop, and its facts for stopDetail()
    private long stopPosition;
    private long stopA;
    private long stopB;
    private String endFound;             // snapshot: what the walk past the header's tail found where the data ends, or null

    private TraceReader(TraceRing ring, ByteBuffer buf, int capacity, int maxRecord, int available, long oldest,
                        long tail, long lost, long appended) {
        this.ring = ring;
        this.buf = buf;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxRecord = maxRecord;
        this.available = available;
        this.imageOldest = oldest;
        this.imageTail = tail;
        this.imageLost = lost;
        this.imageAppended = appended;
        this.scratch = new byte[maxRecord];
        this.payload = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer()
                .order(ByteOrder.LITTLE_ENDIAN);
        this.position = ring == null ? oldest : 0;
    }

    /** A reader of a live ring, starting at the first record ever appended. */
    public static TraceReader of(TraceRing ring) {
        return new TraceReader(ring, ring.buffer(), ring.capacity(), ring.maxRecordSize(), ring.capacity(), 0, 0, 0, 0);
    }

    /**
     * A reader of the ring file {@code file} as it is now (its bytes are read into memory first): the
     * file of a live process, or of one that died. A file shorter than its header says is read up to
     * where it ends ({@link Stop#TRUNCATED}).
     *
     * @throws IOException if the file cannot be read, or does not start with a trace ring header
     */
    public static TraceReader open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER) {
                throw new IOException(file + " is not a trace ring: " + size + " bytes, a header alone has " + HEADER);
            }
            ByteBuffer image = ByteBuffer.allocate((int) Math.min(size, HEADER + (long) TraceLayout.MAX_CAPACITY));
            while (image.hasRemaining() && channel.read(image) >= 0) {
                // read it all
            }
            image.flip();
            try {
                return snapshot(image);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * A reader of a ring image: the bytes of a ring file or buffer, header first, from the buffer's
     * position to its limit. The image must not change while it is read.
     *
     * @throws IllegalArgumentException if it does not start with a valid trace ring header
     */
    public static TraceReader snapshot(ByteBuffer image) {
        ByteBuffer b = image.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < HEADER || b.getLong(TraceLayout.H_MAGIC) != TraceLayout.MAGIC) {
            throw new IllegalArgumentException("not a trace ring: no \"VTBTRACE\" header");
        }
        int version = b.getInt(TraceLayout.H_VERSION);
        int headerSize = b.getInt(TraceLayout.H_HEADER_SIZE);
        int capacity = b.getInt(TraceLayout.H_CAPACITY);
        int maxRecord = b.getInt(TraceLayout.H_MAX_RECORD);
        long oldest = b.getLong(TraceLayout.H_OLDEST);
        long tail = Math.max(b.getLong(TraceLayout.H_TAIL), oldest); // a lower bound of where the records end
        if (version != TraceLayout.VERSION || headerSize != HEADER) {
            throw new IllegalArgumentException("trace ring version " + version + " with a " + headerSize
                    + "-byte header; this reader knows version " + TraceLayout.VERSION + ", " + HEADER + " bytes");
        }
        if (capacity < TraceLayout.MIN_CAPACITY || capacity > TraceLayout.MAX_CAPACITY || Integer.bitCount(capacity) != 1
                || maxRecord < 0 || maxRecord > TraceLayout.largestRecord(capacity)) {
            throw new IllegalArgumentException("trace ring header is corrupt: capacity " + capacity + ", max record "
                    + maxRecord);
        }
        if (oldest < 0 || tail < oldest || tail - oldest > capacity || ((oldest | tail) & 7) != 0) {
            throw new IllegalArgumentException("trace ring header is corrupt: oldest " + oldest + ", tail " + tail
                    + ", capacity " + capacity);
        }
        int available = Math.min(capacity, b.limit() - HEADER);
        return new TraceReader(null, b, capacity, maxRecord, available, oldest, tail,
                b.getLong(TraceLayout.H_LOST), b.getLong(TraceLayout.H_APPENDED));
    }

    /**
     * Moves to the next record. Returns {@code false} if there is none (yet): {@link #stop()} says why,
     * and the reader stays where it is.
     */
    public boolean next() {
        recordPosition = -1;
        endFound = null;
        int overruns = 0;
        while (true) {
            long tail;
            if (ring != null) {
                long oldest = ring.oldestAcquire(); // frames from oldest on are committed or BUSY
                if (position < oldest) {
                    position = oldest; // overrun: the records in between are gone; counted by their sequence numbers
                }
                tail = ring.tailAcquire(); // the first header of every published round is visible
            } else {
                tail = imageTail;
            }
            // Snapshot: the header's tail is only a lower bound (TraceRing writes it when it evicts, not
            // on every append), so the walk goes on past it while the records go on: committed, intact,
            // and numbered one after the other. Past it, the first frame that is not such a record is
            // where the data ends, not a corruption: the frame of an earlier lap, or zeros.
            boolean beyond = ring == null && position >= tail;
            if (ring != null ? position >= tail : position - imageOldest >= capacity) {
                return stop(Stop.CAUGHT_UP, position, position, 0);
            }
            int off = (int) (position & mask);
            int at = HEADER + off;
            if (off + 8 > available) {
                return stop(Stop.TRUNCATED, position, HEADER + available, off + 8);
            }
            byte tag = buf.get(at + F_TAG);
            VarHandle.acquireFence(); // the tag before the rest of the frame: pairs with the releaseFence in TraceRing.commit
            int length = buf.getInt(at + F_LENGTH);
            int type = buf.get(at + F_TYPE) & 0xFF;
            if (beyond && tag != TAG_COMMITTED && tag != TAG_BUSY
                    && (tag == TraceLayout.TAG_EMPTY || length < 0 || length > maxRecord
                        || !continuesAt(position + frameSize(length), expected + 1))) {
                return end(tag == TraceLayout.TAG_EMPTY ? "never written" : "tag " + TraceLayout.tagName(tag));
            }
            if (tag != TAG_COMMITTED) {
                if (overrun()) {
                    if (++overruns == OVERRUNS_PER_CALL) {
                        return stop(Stop.OVERRUN, position, overruns, 0);
                    }
                    continue; // the frame was being overwritten: start again from the new oldest
                }
                if (tag == TAG_BUSY) {
                    return stop(ring != null ? Stop.IN_PROGRESS : Stop.UNCOMMITTED, position, 0, 0);
                }
                return stop(Stop.BAD_TAG, position, tag & 0xFF, 0);
            }
            boolean padding = type == TYPE_PADDING;
            if (impossible(off, type, length)) {
                if (overrun()) {
                    if (++overruns == OVERRUNS_PER_CALL) {
                        return stop(Stop.OVERRUN, position, overruns, 0);
                    }
                    continue;
                }
                if (beyond) {
                    return end("no frame starts there (type " + TraceLayout.typeName(type) + ", length " + length + ")");
                }
                return stop(Stop.BAD_FRAME, position, type, length);
            }
            if (padding) {
                position += length;
                continue;
            }
            if (off + F_PAYLOAD + length > available) {
                return stop(Stop.TRUNCATED, position, HEADER + available, off + F_PAYLOAD + length);
            }
            long sequence = buf.getLong(at + F_SEQUENCE);
            int checksum = buf.getInt(at + F_CHECKSUM);
            buf.get(at + F_PAYLOAD, scratch, 0, length);
            if (overrun()) {
                if (++overruns == OVERRUNS_PER_CALL) {
                    return stop(Stop.OVERRUN, position, overruns, 0);
                }
                continue;
            }
            payload.clear().limit(length);
            int actual = TraceLayout.checksum(payload, 0, length, sequence, type);
            // Past the header's tail, a record numbered below the header's appended (the number of the
            // record at the header's tail) or below the next expected one is of an earlier lap. A frame
            // that fails its checksum is where a writer was killed mid-copy, unless the next record
            // follows it intact: then it is damage, reported as such below.
            long floor = Math.max(expected, imageAppended);
            if (beyond && actual != checksum && !continuesAt(position + frameSize(length), expected + 1)) {
                return end("a frame that fails its checksum");
            }
            if (beyond && actual == checksum && (sequence < floor || (!resync && sequence != expected))) {
                return end("a record of an earlier lap (sequence " + sequence + ", " + floor + " or more expected)");
            }
            if (actual != checksum) {
                return stop(Stop.CHECKSUM, position, checksum & 0xFFFF_FFFFL, actual & 0xFFFF_FFFFL);
            }
            if (sequence < expected || (ring == null && !resync && sequence != expected)) {
                return stop(Stop.SEQUENCE_BREAK, position, expected, sequence);
            }
            resync = false;
            lost += sequence - expected;
            expected = sequence + 1;
            read++;
            recordPosition = position;
            recordSequence = sequence;
            recordLength = length;
            recordType = type;
            position += frameSize(length);
            stop = Stop.NONE;
            return true;
        }
    }

    /**
     * Whether a frame at ring offset {@code off} with this type and length cannot be: a padding frame
     * that does not run to the end of the ring, an unknown type, or a record that does not fit.
     */
    private boolean impossible(int off, int type, int length) {
        if (type == TYPE_PADDING) {
            return length != capacity - off;
        }
        return (type != TYPE_DATA && type != TYPE_EVENT) || length < 0 || length > maxRecord
                || off + frameSize(length) > capacity;
    }

    /**
     * Snapshot, past the header's tail: whether an intact record numbered {@code sequence} starts at
     * {@code pos}, after at most one padding frame. A damaged frame followed by the next record is
     * damage, not the end of the data (a writer killed mid-copy leaves its record last). Needs the
     * damaged frame's length to be intact, to find the next one.
     */
    private boolean continuesAt(long pos, long sequence) {
        for (int hop = 0; hop < 2; hop++) {
            if (pos - imageOldest >= capacity) {
                return false;
            }
            int off = (int) (pos & mask);
            int at = HEADER + off;
            if (off + F_PAYLOAD > available || buf.get(at + F_TAG) != TAG_COMMITTED) {
                return false;
            }
            int length = buf.getInt(at + F_LENGTH);
            int type = buf.get(at + F_TYPE) & 0xFF;
            if (impossible(off, type, length)) {
                return false;
            }
            if (type == TYPE_PADDING) {
                pos += length;
                continue;
            }
            if (off + F_PAYLOAD + length > available || buf.getLong(at + F_SEQUENCE) != sequence) {
                return false;
            }
            return TraceLayout.checksum(buf, at + F_PAYLOAD, length, sequence, type) == buf.getInt(at + F_CHECKSUM);
        }
        return false;
    }

    /**
     * Live: whether the frame just read may have been overwritten while it was read, that is whether
     * {@code oldest} has moved past it. A snapshot never changes.
     */
    private boolean overrun() {
        if (ring == null) {
            return false;
        }
        // The frame's bytes before the re-read of oldest (StampedLock.validate): a writer moves oldest,
        // then fences, then overwrites, so a copy that saw any overwritten byte sees oldest moved.
        VarHandle.acquireFence();
        return ring.oldestAcquire() > position;
    }

    /**
     * After a snapshot stopped with {@link Stop#UNCOMMITTED}: steps over that record's round, which its
     * writer never committed, to the round after it, so that {@link #next()} can go on. The records of
     * the skipped round (sequence numbers were assigned to them) count in {@link #lost()} once the next
     * record is read. Returns false, and changes nothing, if the last stop was another one, if this
     * reader is live (a BUSY round of a live ring is about to be committed: wait for it), or if the
     * frame does not open a round that ends before the tail (a BUSY tag written by corruption).
     */
    public boolean skipUncommitted() {
        if (ring != null || stop != Stop.UNCOMMITTED) {
            return false;
        }
        long round = roundBytes(HEADER + (int) (position & mask));
        // a round below the header's tail was published whole before it; past it, a round must end
        // within one lap of the oldest record
        long limit = position < imageTail ? imageTail : imageOldest + capacity;
        if (round == 0 || position + round > limit) {
            return false;
        }
        position += round;
        skippedRounds++;
        resync = true;
        stop = Stop.NONE;
        return true;
    }

    /** Uncommitted rounds stepped over by {@link #skipUncommitted()}. */
    public long skippedRounds() {
        return skippedRounds;
    }

    private long roundBytes(int at) {
        return (buf.getShort(at + TraceLayout.F_ROUND) & 0xFFFFL) * 8;
    }

    /** Snapshot, past the header's tail: the data ends at {@code position}; {@code found} says what is there. */
    private boolean end(String found) {
        endFound = found;
        return stop(Stop.CAUGHT_UP, position, position, 0);
    }

    private boolean stop(Stop why, long at, long a, long b) {
        stop = why;
        stopPosition = at;
        stopA = a;
        stopB = b;
        return false;
    }

    // ------------------------------------------------------------------------------ current record

    /** The current record's position: bytes appended to the ring before its frame. */
    public long position() {
        checkRecord();
        return recordPosition;
    }

    /** Where the current record's frame starts in the ring file (or buffer): 64 + position mod capacity. */
    public long fileOffset() {
        checkRecord();
        return HEADER + (recordPosition & mask);
    }

    /** The current record's sequence number: records appended to the ring before it. */
    public long sequence() {
        checkRecord();
        return recordSequence;
    }

    /** The current record's payload length in bytes. */
    public int length() {
        checkRecord();
        return recordLength;
    }

    /** The current record's type: {@link TraceRing#TYPE_DATA} or {@link TraceRing#TYPE_EVENT}. */
    public int type() {
        checkRecord();
        return recordType;
    }

    /** Whether the current record is a {@link TraceEvent}. */
    public boolean isEvent() {
        return type() == TYPE_EVENT;
    }

    /**
     * The current record's payload: a read-only, little-endian view of the reader's copy, position 0,
     * limit the length. Valid until the next call of {@link #next()}.
     */
    public ByteBuffer payload() {
        checkRecord();
        return payload;
    }

    /** Copies the current record's payload to {@code dst[off ..]}; returns its length. */
    public int copyPayload(byte[] dst, int off) {
        checkRecord();
        System.arraycopy(scratch, 0, dst, off, recordLength);
        return recordLength;
    }

    /** The current record decoded as an event (allocates; for tools). */
    public TraceEvent event() {
        if (!isEvent()) {
            throw new IllegalStateException("the record at position " + recordPosition + " is "
                    + TraceLayout.typeName(recordType) + ", not EVENT");
        }
        return TraceEvent.decode(payload, 0);
    }

    private void checkRecord() {
        if (recordPosition < 0) {
            throw new IllegalStateException("no current record: next() has not returned true");
        }
    }

    // ------------------------------------------------------------------------------------- totals

    /** Records returned by {@link #next()} so far. */
    public long read() {
        return read;
    }

    /**
     * Records this reader will never return because they were overwritten before it got to them
     * (for a snapshot: those appended before its oldest record). Counted when the reader reaches the
     * record after the gap.
     */
    public long lost() {
        return lost;
    }

    /** Why the last {@link #next()} returned false, or {@link Stop#NONE} after a true. */
    public Stop stop() {
        return stop;
    }

    /** Where the last stop happened: the file (or buffer) offset of the frame that stopped the reader. */
    public long stopOffset() {
        return HEADER + (stopPosition & mask);
    }

    /** A sentence for the last stop: what was found, where. */
    public String stopDetail() {
        long off = stopOffset();
        return switch (stop) {
            case NONE -> "not stopped";
            case CAUGHT_UP -> "reached the tail at position " + stopA + " (offset " + off + "): every record written"
                    + (ring != null ? " so far" : "") + " has been read"
                    + (endFound != null ? "; the header's tail is " + imageTail + ", the records go on past it to here,"
                            + " where there is " + endFound : "");
            case IN_PROGRESS -> "the record at position " + stopPosition + " (offset " + off + ") is still being written";
            case OVERRUN -> "overrun " + stopA + " times in a row at position " + stopPosition
                    + ": the writers lap the ring faster than this reader copies one record";
            case UNCOMMITTED -> "the record at offset " + off + " (position " + stopPosition + ") was never committed"
                    + " (tag BUSY): its writer had not finished copying it; its round spans "
                    + roundBytes(HEADER + (int) (stopPosition & mask)) + " bytes";
            case TRUNCATED -> "the data ends at byte " + stopA + ", inside the record at offset " + off
                    + " (position " + stopPosition + "), which needs bytes up to " + (HEADER + stopB);
            case BAD_TAG -> "bad commit tag " + TraceLayout.tagName((byte) stopA) + " at offset " + off + " (position "
                    + stopPosition + ")" + (stopA == 0 ? ": never written" : "");
            case BAD_FRAME -> "impossible frame at offset " + off + " (position " + stopPosition + "): type "
                    + TraceLayout.typeName((int) stopA) + ", length " + stopB;
            case CHECKSUM -> "checksum mismatch at offset " + off + " (position " + stopPosition + "): stored "
                    + String.format("%08x", stopA) + ", computed " + String.format("%08x", stopB);
            case SEQUENCE_BREAK -> "sequence break at offset " + off + " (position " + stopPosition + "): expected "
                    + stopA + ", found " + stopB;
        };
    }

    // ------------------------------------------------------------------------------ header facts

    /** Ring bytes. */
    public int capacity() {
        return capacity;
    }

    /** Whether this reader reads a live ring (else a snapshot). */
    public boolean isLive() {
        return ring != null;
    }

    /** Snapshot: the header's {@code oldest} position (live: the ring's, now). */
    public long headerOldest() {
        return ring != null ? ring.oldestAcquire() : imageOldest;
    }

    /**
     * Snapshot: the header's {@code tail} position, a lower bound of where the records end (see the
     * class comment); live: the ring's tail, now.
     */
    public long headerTail() {
        return ring != null ? ring.tailAcquire() : imageTail;
    }

    /** Snapshot: the ring's lost counter as the header holds it (live: {@link TraceRing#lost()}). */
    public long headerLost() {
        return ring != null ? ring.lost() : imageLost;
    }

    /** Snapshot: the ring's appended counter as the header holds it (live: {@link TraceRing#appended()}). */
    public long headerAppended() {
        return ring != null ? ring.appended() : imageAppended;
    }

    /** The header's maximum record size. */
    public int maxRecordSize() {
        return maxRecord;
    }
}
