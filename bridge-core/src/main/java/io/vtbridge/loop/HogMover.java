package io.vtbridge.loop;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The hog mover of one loop (with {@code moveHogs} on): a bridged thread whose run held the loop
 * longer than the slice and then <em>yielded</em> (a re-submission, not a block) is sent to the CPU
 * pool, behind urgent work, instead of being queued on its loop again; on the pool every further
 * yield keeps it there ({@link OffLoopRun} marks the worker), and the first block brings it back:
 * its resume reaches {@link ShardLoop#execute} like any other and runs on the loop.
 *
 * <p><b>Threading:</b> {@link #movedAsHog} from {@link LoopEntry#execute} (the body of
 * {@link ShardLoop#execute}, which asks it first for every continuation when hogs are moved), on any
 * thread: it moves only on the loop's owner (after a mount it timed) or on a pool worker running an
 * {@link OffLoopRun} of this loop; {@link #connect} before the loop starts.
 */
final class HogMover {

    private static final ThreadLocal<OffLoopRun> OFF_LOOP = new ThreadLocal<>(); // set on the carrier while it runs a continuation of a hog off its loop

    private final LoopEntry entry;          // the loop's: where a hog goes if the pool refuses it
    private final LoopOwnership ownership;
    private final LoopTurn turn;
    private final LoopCounters counters;
    private final LoopEvents events;
    private final long sliceNanos;          // a run longer than this, then a yield, is a hog's
    private volatile Executor offLoopLater; // set before start(): runs a continuation on another carrier (the bridge's CPU pool), behind urgent work

    HogMover(LoopEntry entry, LoopOwnership ownership, LoopTurn turn, LoopCounters counters, LoopEvents events,
             long sliceNanos) {
        this.entry = entry;
        this.ownership = ownership;
        this.turn = turn;
        this.counters = counters;
        this.events = events;
        this.sliceNanos = sliceNanos;
    }

    /** Where a hog runs off the loop (the CPU pool, behind urgent work). Before the loop starts. */
    void connect(Executor offLoopLater) {
        this.offLoopLater = offLoopLater;
    }

    /**
     * With hogs moved: whether {@code continuation} is a thread's own re-submission after a run that
     * held its carrier longer than the slice (a yield, not a block), and so was sent to the CPU pool
     * instead of the loop. On the loop's carrier that is a run of the current mount; on a pool
     * worker, a hog's run there, which keeps the hog off the loop until it blocks.
     */
    boolean movedAsHog(Runnable continuation) {
        Thread current = Thread.currentThread();
        if (current.isVirtual()) {
            return false; // a bridged thread resuming another: not a re-submission
        }
        OffLoopRun run = OFF_LOOP.get();
        if (run != null) {
            if (run.mover != this || run.continuation != continuation) {
                return false;
            }
            run.resubmitted = true; // a hog that yielded again: it stays off the loop
            counters.incrementShared(LoopCounter.HOG_MOVES);
            sendOff(continuation);
            return true;
        }
        if (current != ownership.owner() || !turn.isMounted(continuation)
                || System.nanoTime() - turn.mountStart() <= sliceNanos) {
            return false;
        }
        counters.increment(LoopCounter.HOG_MOVES);
        events.hogMoved();
        sendOff(continuation);
        return true;
    }

    /** A hog's continuation to the CPU pool, behind urgent work; the loop takes it if the pool refuses. */
    private void sendOff(Runnable continuation) {
        Executor later = offLoopLater;
        try {
            if (later != null) {
                later.execute(new OffLoopRun(this, continuation));
                return;
            }
        } catch (RejectedExecutionException refused) {
            // fall through
        }
        entry.resumeOnLoop(continuation);
    }

    /**
     * A run of a hog's continuation on a pool worker. While it runs, the worker's {@link #OFF_LOOP}
     * names it, so that the hog's own re-submission (it yielded again) is told apart from a resume by
     * another thread; a run that ends without one ended in a block: the hog goes back to its loop.
     */
    private static final class OffLoopRun implements Runnable {
        final HogMover mover; // the hog's loop's
        final Runnable continuation;
        boolean resubmitted; // this worker's own: the hog re-submitted itself during the run

        OffLoopRun(HogMover mover, Runnable continuation) {
            this.mover = mover;
            this.continuation = continuation;
        }

        @Override
        public void run() {
            OFF_LOOP.set(this);
            try {
                continuation.run();
            } finally {
                OFF_LOOP.remove();
                if (!resubmitted) {
                    mover.counters.incrementShared(LoopCounter.HOG_RETURNS);
                }
            }
        }
    }
}
