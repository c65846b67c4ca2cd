package io.vtbridge.jcstress;

import io.vtbridge.pool.PoolTask;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link PoolTask}: {@code cancel(true)} racing the worker's {@code run()}. The interrupt a
 * cancel sends must land while the task is running, never after {@code run()} returned, where it
 * would hit the worker's next task.
 *
 * <p>r1: the worker's interrupt status right after {@code run()} (then cleared), r2: what
 * {@code cancel(true)} returned, r3: the worker thread's interrupt status seen by the arbiter
 * (after both actors: an interrupt that arrived after the worker cleared its status), r4: 1 if the
 * future is cancelled, 2 if it holds the body's value.
 */
public final class PoolTaskCancelTest {

    private PoolTaskCancelTest() {
    }

    @JCStressTest
    @Description("cancel(true) vs run(): the interrupt lands during the run or not at all, never after it.")
    @Outcome(id = "0, 1, 0, 1", expect = ACCEPTABLE, desc = "Cancelled before the start: the body never ran, nobody interrupted.")
    @Outcome(id = "1, 1, 0, 1", expect = ACCEPTABLE, desc = "Cancelled while running: the interrupt landed before run() returned.")
    @Outcome(id = "0, 0, 0, 2", expect = ACCEPTABLE, desc = "The run completed first: cancel(true) returned false, no interrupt.")
    @Outcome(expect = FORBIDDEN, desc = "An interrupt after run() returned (r3 = 1), or a future that disagrees with cancel().")
    @State
    public static class CancelRacesRun {
        final PoolTask<Integer> task = new PoolTask<>(() -> 42);
        volatile Thread worker;

        @Actor
        public void worker(IIII_Result r) {
            worker = Thread.currentThread();
            task.run();
            r.r1 = Thread.interrupted() ? 1 : 0;
        }

        @Actor
        public void canceller(IIII_Result r) {
            r.r2 = task.cancel(true) ? 1 : 0;
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r3 = worker.isInterrupted() ? 1 : 0;
            r.r4 = task.isCancelled() ? 1 : (task.getNow(-1) == 42 ? 2 : 0);
        }
    }
}
