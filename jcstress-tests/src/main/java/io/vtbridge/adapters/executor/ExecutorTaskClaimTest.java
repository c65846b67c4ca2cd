package io.vtbridge.adapters.executor;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link ServiceTask}'s claim: the task's bridged thread ({@code call()}, which the bridge runs as the
 * thread's body) races whoever gives up on the task before its start, and exactly one of them wins.
 * In this package (split from the adapters' one) for the package-private {@link ServiceTask} and
 * {@link TaskTracker}; no bridge is involved: the actor calls {@code call()} as the bridged thread would.
 */
public final class ExecutorTaskClaimTest {

    private ExecutorTaskClaimTest() {
    }

    /**
     * The start against {@code shutdownNow()}. The state accepts one task (its body counts its runs);
     * one actor is its thread, the other shuts the service down now.
     *
     * <p>r1: runs of the body; r2: 1 if shutdownNow() returned the task; r3: the future, 1 cancelled,
     * 2 holding the body's value, 0 neither; r4: 1 if the service is terminated; r5: 1 if the task's
     * thread was still interrupted after {@code call()} returned.
     */
    @JCStressTest
    @Description("A task's start vs shutdownNow(): exactly one of {the task ran, shutdownNow returned it}.")
    @Outcome(id = "1, 0, 2, 1, 0", expect = ACCEPTABLE, desc = "The thread claimed the task first and ran it (shutdownNow found it running or ended); its value is in the future.")
    @Outcome(id = "0, 1, 1, 1, 0", expect = ACCEPTABLE, desc = "shutdownNow claimed the task first: returned, cancelled, never run; the thread's claim failed.")
    @Outcome(expect = FORBIDDEN, desc = "Both or neither claimed it, the future disagrees, the service did not terminate, or an interrupt outlived the run.")
    @State
    public static class StartVersusShutdownNow {
        final TaskTracker tracker = new TaskTracker("jcstress");
        final AtomicInteger runs = new AtomicInteger();
        final ServiceTask<Integer> task = ServiceTask.of(tracker, runs::incrementAndGet);

        public StartVersusShutdownNow() {
            if (!tracker.accept(task)) {
                throw new IllegalStateException("a fresh tracker refused a task");
            }
        }

        @Actor
        public void taskThread(IIIII_Result r) {
            task.call();
            r.r5 = Thread.interrupted() ? 1 : 0;
        }

        @Actor
        public void shutdownNow(IIIII_Result r) {
            List<Runnable> drained = tracker.shutdownNow();
            r.r2 = drained.size() == 1 && drained.get(0) == task ? 1 : drained.size() * 10;
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            r.r1 = runs.get();
            r.r3 = task.isCancelled() ? 1 : (Integer.valueOf(1).equals(task.getNow(null)) ? 2 : 0);
            r.r4 = tracker.isTerminated() ? 1 : 0;
        }
    }

    /**
     * {@code cancel(true)} against the run: the interrupt lands while the body runs or not at all,
     * never after {@code call()} returned (the thread would carry it into whatever it does next), and
     * the future holds exactly one outcome.
     *
     * <p>r1: the thread's interrupt status right after {@code call()}; r2: what {@code cancel(true)}
     * returned; r3: the thread's interrupt status seen by the arbiter; r4: the future, 1 cancelled, 2
     * holding the value; r5: runs of the body.
     */
    @JCStressTest
    @Description("cancel(true) vs the run: one outcome, and no interrupt outlives the run.")
    @Outcome(id = "0, 1, 0, 1, 0", expect = ACCEPTABLE, desc = "Cancelled before the start: the body never ran.")
    @Outcome(id = "0, 1, 0, 1, 1", expect = ACCEPTABLE, desc = "Cancelled while running: the body ran, the future is cancelled, the interrupt was cleared before call() returned.")
    @Outcome(id = "0, 0, 0, 2, 1", expect = ACCEPTABLE, desc = "The run completed the future first: cancel(true) returned false.")
    @Outcome(expect = FORBIDDEN, desc = "An interrupt after the run (r1 or r3 = 1), or a future that disagrees with the runs.")
    @State
    public static class CancelVersusRun {
        final TaskTracker tracker = new TaskTracker("jcstress");
        final AtomicInteger runs = new AtomicInteger();
        final ServiceTask<Integer> task = ServiceTask.of(tracker, runs::incrementAndGet);
        volatile Thread taskThread;

        public CancelVersusRun() {
            if (!tracker.accept(task)) {
                throw new IllegalStateException("a fresh tracker refused a task");
            }
        }

        @Actor
        public void taskThread(IIIII_Result r) {
            taskThread = Thread.currentThread();
            task.call();
            r.r1 = Thread.interrupted() ? 1 : 0;
        }

        @Actor
        public void canceller(IIIII_Result r) {
            r.r2 = task.cancel(true) ? 1 : 0;
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            r.r3 = taskThread.isInterrupted() ? 1 : 0;
            Thread.interrupted(); // (the arbiter's own status, for the next round; never set)
            r.r4 = task.isCancelled() ? 1 : (Integer.valueOf(1).equals(task.getNow(null)) ? 2 : 0);
            r.r5 = runs.get();
        }
    }
}
