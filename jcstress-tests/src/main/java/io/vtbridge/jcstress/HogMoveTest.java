package io.vtbridge.jcstress;

import io.vtbridge.Priority;
import io.vtbridge.pool.PriorityTaskQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Moving a hog off its loop ({@code BridgeBuilder.moveHogs}): the loop's carrier, right after the hog
 * unmounted, hands the hog's continuation to the CPU pool ({@code HogMover.sendOff}, an offer to the
 * pool's {@link PriorityTaskQueue} at LOW), and a pool worker takes it ({@code poll}) and runs it. The
 * hog must find on the worker everything it wrote on the loop (its own stack and heap state, two
 * plain fields here, written in that order, so that half a write shows), and it never runs on both
 * carriers: the queue hands the continuation over once. Decision form: the worker runs the
 * continuation only if it polled it.
 *
 * <p>r1: 1 if the worker polled the continuation (else 0), r2: what the continuation saw of the hog's
 * two writes: 2 both, 0 neither (only when not polled), 1 half.
 */
public final class HogMoveTest {

    private HogMoveTest() {
    }

    @JCStressTest
    @Description("A hog moved to the CPU pool sees on the worker what it wrote on its loop.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The worker polled before the move: nothing ran.")
    @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "The worker took the moved hog and saw both writes.")
    @Outcome(expect = FORBIDDEN, desc = "The hog ran on the worker without what it wrote on the loop.")
    @State
    public static class LoopVersusWorker {
        final PriorityTaskQueue queue = new PriorityTaskQueue(4);
        int first;   // the hog's state, written on the loop (plain)
        int second;
        int seen;    // what it saw when it continued on the worker

        @Actor
        public void loop() {
            first = 1;
            second = 1;
            queue.offer(Priority.LOW, () -> seen = second + first); // the continuation, read in the order opposite to the writes
        }

        @Actor
        public void worker(II_Result r) {
            Runnable continuation = queue.poll();
            if (continuation != null) {
                r.r1 = 1;
                continuation.run();
                r.r2 = seen;
            }
        }
    }
}
