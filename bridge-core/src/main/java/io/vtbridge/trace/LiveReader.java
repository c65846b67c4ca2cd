package io.vtbridge.trace;

import io.vtbridge.trace.FrameCheck.Frame;
import io.vtbridge.trace.TraceReader.Stop;

import java.lang.invoke.VarHandle;

/**
 * The walk of a {@link TraceReader} over a live {@link TraceRing} in this process
 * ({@link TraceReader#of(TraceRing)}). It starts at the first record ever appended and never holds
 * writers up: writers may overwrite a frame while it is being copied out, so every frame checked
 * ({@link FrameCheck}, which copies the payload) is validated afterwards against the ring's
 * {@code oldest} position, the check of a sequence lock ({@link #overrun()}), and the walk starts
 * again from the new oldest record if it was overrun: one retry, whatever the frame turned out to
 * be. Records it never got, because they were overwritten first, are counted lost by their sequence
 * numbers. Its stops are transient: {@link Stop#CAUGHT_UP}, {@link Stop#IN_PROGRESS} (a round still
 * BUSY), {@link Stop#OVERRUN} ({@value #OVERRUNS_PER_CALL} overruns in one call). Any other stop
 * means a corrupt ring.
 *
 * <p>The loads, in order: {@code oldest}, then {@code tail} (both acquire loads); the frame's tag,
 * then an {@code acquireFence} (in {@link FrameCheck#check}), then the frame's other bytes; then an
 * {@code acquireFence} and {@code oldest} again.
 *
 * <p><b>Threading:</b> the reader's thread only (a cursor), while any number of writers append to
 * the ring; it reads the ring's {@code oldest} and {@code tail} with acquire loads and writes nothing
 * of the ring's.
 */
final class LiveReader extends RecordWalk {

    private static final int OVERRUNS_PER_CALL = 64;

    private final TraceRing ring;

    LiveReader(TraceRing ring) {
        super(new FrameCheck(ring.buffer(), ring.capacity(), ring.maxRecordSize(), ring.capacity(), true), 0);
        this.ring = ring;
    }

    @Override
    boolean advance() {
        int overruns = 0;
        while (true) {
            long oldest = ring.oldestAcquire(); // frames from oldest on are committed or BUSY
            if (position < oldest) {
                position = oldest; // overrun: the records in between are gone; counted by their sequence numbers
            }
            long tail = ring.tailAcquire(); // the first header of every published round is visible
            if (position >= tail) {
                return caughtUp();
            }
            Frame frame = frames.check(position);
            if (frame == Frame.PADDING) {
                // Not validated: the next turn re-reads oldest and starts from it if it moved past this
                // frame. Padding read from a later lap's bytes (the record here overwritten) jumps to
                // the end of the lap; the records skipped are counted lost, none is torn.
                position += frames.length;
                continue;
            }
            if (overrun()) {
                if (++overruns == OVERRUNS_PER_CALL) {
                    return stop(Stop.OVERRUN, position, overruns, 0);
                }
                continue; // the frame was being overwritten: start again from the new oldest
            }
            return conclude(frame, Stop.IN_PROGRESS, false);
        }
    }

    /**
     * Whether the frame just checked may have been overwritten while it was read, that is whether
     * {@code oldest} has moved past it.
     */
    private boolean overrun() {
        // The frame's bytes before the re-read of oldest (StampedLock.validate): a writer moves oldest,
        // then fences, then overwrites, so a copy that saw any overwritten byte sees oldest moved.
        VarHandle.acquireFence();
        return ring.oldestAcquire() > position;
    }

    @Override
    boolean isLive() {
        return true;
    }

    @Override
    long header(int field) {
        return switch (field) {
            case TraceLayout.H_OLDEST -> ring.oldestAcquire();
            case TraceLayout.H_TAIL -> ring.tailAcquire();
            case TraceLayout.H_LOST -> ring.lost();
            default -> ring.appended();
        };
    }

    @Override
    String caughtUpDetail() {
        return " so far has been read";
    }
}
