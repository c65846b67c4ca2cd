package io.vtbridge.trace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

import static io.vtbridge.trace.TraceLayout.HEADER;
import static io.vtbridge.trace.TraceLayout.TYPE_EVENT;

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

    // The API over one of two walks: LiveReader for a ring in this process, RecoveryReader for an
    // image (a file, perhaps of a killed process). Both check frames with one FrameCheck and keep the
    // cursor (position, current record, last stop) in RecordWalk; every method here reads or moves it.
    private final RecordWalk walk;

    private TraceReader(RecordWalk walk) {
        this.walk = walk;
    }

    /** A reader of a live ring, starting at the first record ever appended. */
    public static TraceReader of(TraceRing ring) {
        return new TraceReader(new LiveReader(ring));
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
        return new TraceReader(RecoveryReader.of(image));
    }

    /**
     * Moves to the next record. Returns {@code false} if there is none (yet): {@link #stop()} says why,
     * and the reader stays where it is.
     */
    public boolean next() {
        return walk.next();
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
        return walk.skipUncommitted();
    }

    /** Uncommitted rounds stepped over by {@link #skipUncommitted()}. */
    public long skippedRounds() {
        return walk.skippedRounds();
    }

    // ------------------------------------------------------------------------------ current record

    /** The current record's position: bytes appended to the ring before its frame. */
    public long position() {
        checkRecord();
        return walk.recordPosition;
    }

    /** Where the current record's frame starts in the ring file (or buffer): 64 + position mod capacity. */
    public long fileOffset() {
        checkRecord();
        return HEADER + (walk.recordPosition & walk.frames.mask);
    }

    /** The current record's sequence number: records appended to the ring before it. */
    public long sequence() {
        checkRecord();
        return walk.recordSequence;
    }

    /** The current record's payload length in bytes. */
    public int length() {
        checkRecord();
        return walk.recordLength;
    }

    /** The current record's type: {@link TraceRing#TYPE_DATA} or {@link TraceRing#TYPE_EVENT}. */
    public int type() {
        checkRecord();
        return walk.recordType;
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
        return walk.frames.payload;
    }

    /** Copies the current record's payload to {@code dst[off ..]}; returns its length. */
    public int copyPayload(byte[] dst, int off) {
        checkRecord();
        System.arraycopy(walk.frames.scratch, 0, dst, off, walk.recordLength);
        return walk.recordLength;
    }

    /** The current record decoded as an event (allocates; for tools). */
    public TraceEvent event() {
        if (!isEvent()) {
            throw new IllegalStateException("the record at position " + walk.recordPosition + " is "
                    + TraceLayout.typeName(walk.recordType) + ", not EVENT");
        }
        return TraceEvent.decode(walk.frames.payload, 0);
    }

    private void checkRecord() {
        if (walk.recordPosition < 0) {
            throw new IllegalStateException("no current record: next() has not returned true");
        }
    }

    // ------------------------------------------------------------------------------------- totals

    /** Records returned by {@link #next()} so far. */
    public long read() {
        return walk.read;
    }

    /**
     * Records this reader will never return because they were overwritten before it got to them
     * (for a snapshot: those appended before its oldest record). Counted when the reader reaches the
     * record after the gap.
     */
    public long lost() {
        return walk.lost;
    }

    /** Why the last {@link #next()} returned false, or {@link Stop#NONE} after a true. */
    public Stop stop() {
        return walk.stop;
    }

    /** Where the last stop happened: the file (or buffer) offset of the frame that stopped the reader. */
    public long stopOffset() {
        return HEADER + (walk.stopPosition & walk.frames.mask);
    }

    /** A sentence for the last stop: what was found, where. */
    public String stopDetail() {
        long off = stopOffset();
        long stopPosition = walk.stopPosition;
        long stopA = walk.stopA;
        long stopB = walk.stopB;
        return switch (walk.stop) {
            case NONE -> "not stopped";
            case CAUGHT_UP -> "reached the tail at position " + stopA + " (offset " + off + "): every record written"
                    + walk.caughtUpDetail();
            case IN_PROGRESS -> "the record at position " + stopPosition + " (offset " + off + ") is still being written";
            case OVERRUN -> "overrun " + stopA + " times in a row at position " + stopPosition
                    + ": the writers lap the ring faster than this reader copies one record";
            case UNCOMMITTED -> "the record at offset " + off + " (position " + stopPosition + ") was never committed"
                    + " (tag BUSY): its writer had not finished copying it; its round spans "
                    + walk.frames.roundBytes(stopPosition) + " bytes";
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
        return walk.frames.capacity;
    }

    /** Whether this reader reads a live ring (else a snapshot). */
    public boolean isLive() {
        return walk.isLive();
    }

    /** Snapshot: the header's {@code oldest} position (live: the ring's, now). */
    public long headerOldest() {
        return walk.header(TraceLayout.H_OLDEST);
    }

    /**
     * Snapshot: the header's {@code tail} position, a lower bound of where the records end (see the
     * class comment); live: the ring's tail, now.
     */
    public long headerTail() {
        return walk.header(TraceLayout.H_TAIL);
    }

    /** Snapshot: the ring's lost counter as the header holds it (live: {@link TraceRing#lost()}). */
    public long headerLost() {
        return walk.header(TraceLayout.H_LOST);
    }

    /** Snapshot: the ring's appended counter as the header holds it (live: {@link TraceRing#appended()}). */
    public long headerAppended() {
        return walk.header(TraceLayout.H_APPENDED);
    }

    /** The header's maximum record size. */
    public int maxRecordSize() {
        return walk.frames.maxRecord;
    }
}
