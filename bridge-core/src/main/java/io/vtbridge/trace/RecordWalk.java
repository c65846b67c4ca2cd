package io.vtbridge.trace;

import io.vtbridge.trace.FrameCheck.Frame;
import io.vtbridge.trace.TraceReader.Stop;

import static io.vtbridge.trace.TraceLayout.HEADER;
import static io.vtbridge.trace.TraceLayout.frameSize;

/**
 * A {@link TraceReader}'s walk over the frames, the part that the live reader ({@link LiveReader})
 * and the crash-file reader ({@link RecoveryReader}) share: where the walk is, which sequence number
 * it expects next, what it has read and counted lost, the current record, the last stop and its
 * facts; and how a checked frame ({@link FrameCheck}) becomes the current record or a stop
 * ({@link #conclude}). Each subclass decides where the data ends and when to check a frame again:
 * {@link #advance}.
 *
 * <p>{@code read + lost} is always the sequence number of the next record expected: a gap in sequence
 * numbers (records overwritten first, or in a skipped round, or before the oldest record of an image)
 * is counted in {@code lost} when the record after it is read.
 *
 * <p><b>Threading:</b> a cursor: every field is read and written by the thread that calls the
 * reader, one thread at a time. The ring's writers touch none of it.
 */
abstract class RecordWalk {

    final FrameCheck frames;     // the one frame check; its scratch holds the current record's payload

    long position;               // reader thread: where the next frame starts
    long expected;               // reader thread: the next sequence number expected
    long lost;                   // reader thread: records skipped because they were overwritten first
    long read;                   // reader thread: records returned
    long recordPosition = -1;    // reader thread: the current record, or -1 when there is none
    long recordSequence;         // reader thread: the current record's
    int recordLength;            // reader thread: the current record's
    int recordType;              // reader thread: the current record's
    Stop stop = Stop.NONE;       // reader thread: the last stop, and its facts for stopDetail()
    long stopPosition;           // reader thread
    long stopA;                  // reader thread
    long stopB;                  // reader thread

    RecordWalk(FrameCheck frames, long start) {
        this.frames = frames;
        this.position = start;
    }

    /** {@link TraceReader#next()}: moves to the next record, or stops and says why. */
    final boolean next() {
        recordPosition = -1;
        return advance();
    }

    /** The walk to the next record from {@link #position}: true with the record current, or false after a {@link #stop}. */
    abstract boolean advance();

    /** {@link TraceReader#skipUncommitted()}; a live reader never skips. */
    boolean skipUncommitted() {
        return false;
    }

    /** {@link TraceReader#skippedRounds()}. */
    long skippedRounds() {
        return 0;
    }

    abstract boolean isLive();

    /**
     * A field of the ring's state as {@link TraceReader}'s header methods give it, by its header
     * offset ({@link TraceLayout#H_OLDEST}, {@code H_TAIL}, {@code H_LOST} or {@code H_APPENDED}):
     * a live ring's now, or what the image's header holds.
     */
    abstract long header(int field);

    /** The end of {@link TraceReader#stopDetail()} for {@link Stop#CAUGHT_UP}, after "every record written". */
    abstract String caughtUpDetail();

    /**
     * The walk's answer for the frame at {@link #position} that {@link #frames} just checked (not
     * padding, which the walk steps over): a record becomes the current one, unless its sequence
     * number is below the expected one or, if {@code consecutive}, is not the expected one; a frame
     * that is no record stops the walk, a BUSY one with {@code busy}.
     */
    final boolean conclude(Frame frame, Stop busy, boolean consecutive) {
        FrameCheck f = frames;
        return switch (frame) {
            case RECORD -> f.sequence < expected || (consecutive && f.sequence != expected)
                    ? stop(Stop.SEQUENCE_BREAK, position, expected, f.sequence)
                    : accept(f);
            case BUSY -> stop(busy, position, 0, 0);
            case BAD_TAG -> stop(Stop.BAD_TAG, position, f.tag & 0xFF, 0);
            case BAD_FRAME -> stop(Stop.BAD_FRAME, position, f.type, f.length);
            case CHECKSUM -> stop(Stop.CHECKSUM, position, f.stored & 0xFFFF_FFFFL, f.actual & 0xFFFF_FFFFL);
            case TRUNCATED -> stop(Stop.TRUNCATED, position, HEADER + f.available, f.needed);
            case PADDING -> throw new IllegalArgumentException("a padding frame is stepped over, not concluded");
        };
    }

    /** The record just checked is the next one: counts the gap before it, makes it current, moves past it. */
    private boolean accept(FrameCheck f) {
        lost += f.sequence - expected;
        expected = f.sequence + 1;
        read++;
        recordPosition = position;
        recordSequence = f.sequence;
        recordLength = f.length;
        recordType = f.type;
        position += frameSize(f.length);
        stop = Stop.NONE;
        return true;
    }

    /** Every record there is so far has been read: the walk is at the tail. */
    final boolean caughtUp() {
        return stop(Stop.CAUGHT_UP, position, position, 0);
    }

    /** Stops at {@code at}, with the facts {@code a} and {@code b} that {@link TraceReader#stopDetail()} names. */
    final boolean stop(Stop why, long at, long a, long b) {
        stop = why;
        stopPosition = at;
        stopA = a;
        stopB = b;
        return false;
    }
}
