package io.vtbridge.adapters.executor;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link TaskTracker}'s termination: the last accepted task ending races {@code shutdown()}. Whichever
 * comes second must see the other's effect (the task's decrement to zero, or the state leaving
 * RUNNING) and terminate; nobody holds a lock. In this package for the package-private classes.
 *
 * <p>r1: 1 if the tracker is terminated; r2: 1 if its termination latch is open (what
 * {@code awaitTermination} waits on).
 */
@JCStressTest
@Description("The last task's end vs shutdown(): the service terminates, whichever comes first.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Terminated, by the task's end (shutdown came first) or by shutdown (the task ended first); the latch is open.")
@Outcome(expect = FORBIDDEN, desc = "Lost termination: each saw the other's state before the other's change, and nobody terminated (or the latch stayed shut).")
@State
public class ExecutorTerminationTest {

    final TaskTracker tracker = new TaskTracker("jcstress");
    final ServiceTask<Integer> task = ServiceTask.of(tracker, () -> 1);

    public ExecutorTerminationTest() {
        if (!tracker.accept(task)) {
            throw new IllegalStateException("a fresh tracker refused a task");
        }
    }

    @Actor
    public void lastTaskEnds() {
        task.call(); // runs the body, then reports the task ended
    }

    @Actor
    public void shutdown() {
        tracker.shutdown();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = tracker.isTerminated() ? 1 : 0;
        try {
            r.r2 = tracker.awaitTermination(1) ? 1 : 0; // 1 ns: open or not, now
        } catch (InterruptedException e) {
            r.r2 = -1;
        }
    }
}
