package io.vtbridge.adapters.executor;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.util.List;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link TaskTracker}: a submission accepted concurrently with {@code shutdownNow()} is either refused
 * or found by shutdownNow's walk of the task set; never accepted and missed (it would start after
 * shutdownNow returned, uninterrupted). The accept is a CAS on the state word, then an add to the set;
 * shutdownNow changes the state, waits until no accepted task is still on its way into the set, then
 * walks it. In this package for the package-private classes.
 *
 * <p>r1: 1 if {@code accept} took the task; r2: 1 if shutdownNow returned it; r3: 1 if the tracker
 * is terminated; r4: 1 if the task's future is cancelled.
 */
@JCStressTest
@Description("accept vs shutdownNow(): a task is refused, or accepted and returned by shutdownNow; never accepted and missed.")
@Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "Accepted before the state change: shutdownNow found it in the set, drained it (cancelled) and terminated.")
@Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "The state changed first: the task was refused; shutdownNow found nothing and terminated.")
@Outcome(expect = FORBIDDEN, desc = "Accepted but missed by the walk (still counted, never drained: no termination), or returned though refused.")
@State
public class ExecutorAcceptVersusShutdownNowTest {

    final TaskTracker tracker = new TaskTracker("jcstress");
    final ServiceTask<Integer> task = ServiceTask.of(tracker, () -> 1);

    @Actor
    public void submitter(IIII_Result r) {
        r.r1 = tracker.accept(task) ? 1 : 0;
    }

    @Actor
    public void shutdownNow(IIII_Result r) {
        List<Runnable> drained = tracker.shutdownNow();
        r.r2 = drained.size() == 1 && drained.get(0) == task ? 1 : drained.size() * 10;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r3 = tracker.isTerminated() ? 1 : 0;
        r.r4 = task.isCancelled() ? 1 : 0;
    }
}
