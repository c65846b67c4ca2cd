package io.vtbridge.trace;

import io.vtbridge.trace.FrameCheck.Frame;
import io.vtbridge.trace.TraceReader.Stop;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.vtbridge.trace.TraceLayout.F_PAYLOAD;
import static io.vtbridge.trace.TraceLayout.HEADER;
import static io.vtbridge.trace.TraceLayout.TAG_EMPTY;
import static io.vtbridge.trace.TraceLayout.frameSize;

/**
 * The walk of a {@link TraceReader} over a ring image ({@link TraceReader#open}, {@link TraceReader#snapshot}):
 * the file of a running process, or of one that was killed, perhaps in the middle of an append.
 *
 * <p>The walk goes from the header's {@code oldest} to its {@code tail}, checks each frame
 * ({@link FrameCheck}: commit tag, type, length, checksum; here also consecutive sequence numbers)
 * and stops at the first one that fails, for good. The header's {@code tail} is a lower bound (the
 * ring writes it when it evicts old records and on {@link TraceRing#force()}, not on every append),
 * so the walk goes on past it while the frames hold intact records numbered one after the other, for
 * at most one lap; the first frame past it that does not is where the data ends
 * ({@link Stop#CAUGHT_UP}, with what was there: {@link #endOfData}). Why that is sound: sequence
 * numbers grow with position within a lap, so a frame of an earlier lap carries a number smaller than
 * expected. A damaged frame past the tail followed by the next record, intact ({@link #continuesAt},
 * the same frame check as a look-ahead), is damage, not the end.
 *
 * <p>A record whose writer died before committing it stops the walk with {@link Stop#UNCOMMITTED},
 * and {@link #skipUncommitted()} steps over its whole round (the records after it in that round are
 * not trusted) to the rounds after it, which may well be committed: rounds commit independently, and
 * an append that returned had committed its own.
 *
 * <p><b>Threading:</b> the reader's thread only (a cursor); the image must not change while it is
 * read.
 */
final class RecoveryReader extends RecordWalk {

    private static final String NEVER_WRITTEN = "never written";

    private final ByteBuffer header;     // a copy of the image's header as the reader was made, its tail raised to at least its oldest
    private final long imageOldest;      // the header's oldest: where the walk starts
    private final long imageTail;        // the header's tail: a lower bound of where the records end (at least imageOldest)
    private final long imageAppended;    // the header's appended: the sequence number of the record at imageTail
    private final FrameCheck lookAhead;  // the same check, for continuesAt: checksum in place, the scratch untouched

    private boolean resync = true;       // reader thread: the next record may follow a gap (the first one, or one after a skipped round)
    private long skippedRounds;          // reader thread: uncommitted rounds stepped over
    private String endFound;             // reader thread: what the walk past the header's tail found where the data ends, or null
    private long endPosition;            // reader thread: where it found it (at or past the header's tail)

    private RecoveryReader(ByteBuffer image, int capacity, int maxRecord, int available, long oldest, long tail) {
        super(new FrameCheck(image, capacity, maxRecord, available, true), oldest);
        this.header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN).put(0, image, 0, HEADER)
                .putLong(TraceLayout.H_TAIL, tail);
        this.imageOldest = oldest;
        this.imageTail = tail;
        this.imageAppended = header.getLong(TraceLayout.H_APPENDED);
        this.lookAhead = new FrameCheck(image, capacity, maxRecord, available, false);
    }

    /** {@link TraceReader#snapshot}: a walk over {@code image} from its position to its limit, its header checked. */
    static RecoveryReader of(ByteBuffer image) {
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
        return new RecoveryReader(b, capacity, maxRecord, available, oldest, tail);
    }

    @Override
    boolean advance() {
        endFound = null;
        while (true) {
            // The header's tail is only a lower bound (TraceRing writes it when it evicts, not on every
            // append), so the walk goes on past it while the records go on: committed, intact, and
            // numbered one after the other. Past it, the first frame that is not such a record is where
            // the data ends, not a corruption: the frame of an earlier lap, or zeros.
            boolean beyond = position >= imageTail;
            if (position - imageOldest >= frames.capacity) {
                return caughtUp();
            }
            Frame frame = frames.check(position);
            if (frame == Frame.PADDING) {
                position += frames.length;
                continue;
            }
            String end = beyond ? endOfData(frame) : null;
            if (end != null) {
                endFound = end;
                endPosition = position;
                return caughtUp();
            }
            if (conclude(frame, Stop.UNCOMMITTED, !resync)) {
                resync = false;
                return true;
            }
            return false;
        }
    }

    /**
     * Past the header's tail: what the frame just checked shows if the data ends there (for
     * {@link TraceReader#stopDetail()}), or null if it does not: a record that continues the walk,
     * an uncommitted round, a truncated image, or damage followed by the next record.
     */
    private String endOfData(Frame frame) {
        FrameCheck f = frames;
        return switch (frame) {
            case BAD_TAG -> f.tag == TAG_EMPTY || f.length < 0 || f.length > f.maxRecord
                    || !continuesAt(position + frameSize(f.length), expected + 1)
                    ? (f.tag == TAG_EMPTY ? NEVER_WRITTEN : "tag " + TraceLayout.tagName(f.tag)) : null;
            case BAD_FRAME -> "no frame starts there (type " + TraceLayout.typeName(f.type) + ", length " + f.length + ")";
            // A frame that fails its checksum is where a writer was killed mid-copy, unless the next
            // record follows it intact: then it is damage, reported as such.
            case CHECKSUM -> continuesAt(position + frameSize(f.length), expected + 1) ? null
                    : "a frame that fails its checksum";
            // A record numbered below the header's appended (the number of the record at the header's
            // tail) or below the next expected one is of an earlier lap.
            case RECORD -> {
                long floor = Math.max(expected, imageAppended);
                yield f.sequence < floor || (!resync && f.sequence != expected)
                        ? "a record of an earlier lap (sequence " + f.sequence + ", " + floor + " or more expected)" : null;
            }
            case BUSY, TRUNCATED, PADDING -> null;
        };
    }

    /**
     * Past the header's tail: whether an intact record numbered {@code sequence} starts at
     * {@code pos}, after at most one padding frame. A damaged frame followed by the next record is
     * damage, not the end of the data (a writer killed mid-copy leaves its record last). Needs the
     * damaged frame's length to be intact, to find the next one.
     */
    private boolean continuesAt(long pos, long sequence) {
        for (int hop = 0; hop < 2; hop++) {
            if (pos - imageOldest >= frames.capacity || (pos & frames.mask) + F_PAYLOAD > frames.available) {
                return false;
            }
            Frame next = lookAhead.check(pos);
            if (next == Frame.PADDING) {
                pos += lookAhead.length;
                continue;
            }
            return next == Frame.RECORD && lookAhead.sequence == sequence;
        }
        return false;
    }

    /**
     * After a stop with {@link Stop#UNCOMMITTED}: steps over that record's round, which its writer
     * never committed, to the round after it. False, and nothing changed, if the last stop was
     * another one, or if the frame does not open a round that ends before the tail (a BUSY tag
     * written by corruption).
     */
    @Override
    boolean skipUncommitted() {
        if (stop != Stop.UNCOMMITTED) {
            return false;
        }
        long round = frames.roundBytes(position);
        // a round below the header's tail was published whole before it; past it, a round must end
        // within one lap of the oldest record
        long limit = position < imageTail ? imageTail : imageOldest + frames.capacity;
        if (round == 0 || position + round > limit) {
            return false;
        }
        position += round;
        skippedRounds++;
        resync = true;
        stop = Stop.NONE;
        return true;
    }

    @Override
    long skippedRounds() {
        return skippedRounds;
    }

    @Override
    boolean isLive() {
        return false;
    }

    @Override
    long header(int field) {
        return header.getLong(field);
    }

    @Override
    String caughtUpDetail() {
        if (endFound == null || (endPosition == imageTail && endFound.equals(NEVER_WRITTEN))) {
            return " has been read"; // an exact header and nothing written after it: nothing to add
        }
        return " has been read; " + (endPosition > imageTail
                ? "the header's tail is " + imageTail + ", the records go on past it to here, where the data ends: "
                : "the data ends at the header's tail: ") + endFound;
    }
}
