package io.vtbridge.adapters.executor;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.List;
import java.util.concurrent.Callable;
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

    /** A task of {@code body}, accepted by the fresh {@code tracker} as a service accepts one before it starts it. */
    static ServiceTask<Integer> accepted(TaskTracker tracker, Callable<Integer> body) {
        ServiceTask<Integer> task = ServiceTask.of(tracker, body);
        if (!tracker.accept(task)) {
            throw new IllegalStateException("a fresh tracker refused a task");
        }
        return task;
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
        final ServiceTask<Integer> task = accepted(tracker, runs::incrementAndGet);


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
        final ServiceTask<Integer> task = accepted(tracker, runs::incrementAndGet);
        volatile Thread taskThread;


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

    /**
     * {@code cancel(false)} against the start, seen from a dependent stage of the future. The stage
     * runs before the task counts as ended, on a thread that completes the future or merely calls
     * {@code complete*} on it (a {@code CompletableFuture} lets every such caller help run the pending
     * stages): the canceller, or the task's thread. It must count as the task's
     * ({@code TaskTracker.isRunningTask}, what {@code close()} asks) exactly when a {@code close()}
     * there would wait for itself: on the task's thread once it claimed the task, and on the
     * canceller's when the cancel claimed the task before its start (the claim-then-complete order of
     * {@code cancel}; the unit test is {@code ExecutorCloseFromStagesTest}). A canceller that did not
     * claim the task is not its owner: the task ends on its own thread.
     *
     * <p>r1: who claimed the task, 0 the cancel (never ran), 1 the task's thread with the body
     * skipped (the future was done already), 2 the task's thread with the body run; r2: what
     * {@code cancel(false)} returned; r3: the future, 1 cancelled, 2 holding the value; r4: the
     * tracker's active count afterwards (0: ended exactly once); r5: where the stage ran and what it
     * concluded: 1 on the canceller, as the task's; 2 on the canceller, not the task's; 3 on the
     * task's thread, as the task's; 4 on the task's thread, not the task's; 0 elsewhere or never.
     */
    @JCStressTest
    @Description("cancel(false) vs the start: a stage of the future counts as the task's exactly when it runs on the task's claimer.")
    @Outcome(id = "0, 1, 1, 0, 1", expect = ACCEPTABLE, desc = "The cancel claimed the task before its start: never run; the stage ran on the canceller, which owned the task until it reported it ended.")
    @Outcome(id = {"1, 1, 1, 0, 2", "2, 1, 1, 0, 2"}, expect = ACCEPTABLE, desc = "The thread claimed the task, the cancel completed the future (before or during the body); the stage ran on the canceller, not the task's owner.")
    @Outcome(id = {"1, 1, 1, 0, 3", "2, 1, 1, 0, 3"}, expect = ACCEPTABLE, desc = "As above, but the task's thread, calling complete() after the run, ran the pending stage: the task's own thread.")
    @Outcome(id = "2, 0, 2, 0, 3", expect = ACCEPTABLE, desc = "The run completed the future first: the stage ran on the task's thread, the task's own.")
    @Outcome(id = "2, 0, 2, 0, 2", expect = ACCEPTABLE, desc = "The run completed the future first, the canceller's completion attempt ran the pending stage: not the task's owner.")
    @Outcome(expect = FORBIDDEN, desc = "The claimer's stage not counted as the task's (its close() would wait for itself), another thread's counted, the task ended twice or never, or the future disagrees with the claim.")
    @State
    public static class CancelVersusStartSeenByAStage {
        final TaskTracker tracker = new TaskTracker("jcstress");
        final AtomicInteger runs = new AtomicInteger();
        final ServiceTask<Integer> task = accepted(tracker, runs::incrementAndGet);
        volatile Thread taskThread;
        volatile Thread canceller;
        volatile Thread stageThread;
        volatile boolean stageCountedOwn;

        public CancelVersusStartSeenByAStage() {
            task.whenComplete((value, failure) -> {
                stageCountedOwn = tracker.isRunningTask(Thread.currentThread());
                stageThread = Thread.currentThread();
            });
        }

        @Actor
        public void taskThread() {
            taskThread = Thread.currentThread();
            task.call();
        }

        @Actor
        public void canceller(IIIII_Result r) {
            canceller = Thread.currentThread();
            r.r2 = task.cancel(false) ? 1 : 0;
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            r.r1 = runs.get() == 1 ? 2 : (task.isRunBy(taskThread) ? 1 : 0);
            r.r3 = task.isCancelled() ? 1 : (!task.isCompletedExceptionally() && Integer.valueOf(1).equals(task.getNow(null)) ? 2 : 0);
            r.r4 = tracker.active();
            Thread ran = stageThread;
            int where = ran == canceller ? 1 : ran == taskThread ? 3 : -1;
            r.r5 = where < 0 ? 0 : where + (stageCountedOwn ? 0 : 1);
        }
    }

    /**
     * {@code cancel(true)} interrupts before it completes the future (so that a dependent stage run
     * by the completion may wait for the task's end), and the body here answers an interrupt by
     * throwing {@link InterruptedException}. The run must then complete the future as cancelled,
     * not with that exception: a {@code cancel(true)} that interrupted the body never returns
     * {@code false} or leaves the future failed otherwise.
     *
     * <p>r1: what {@code cancel(true)} returned; r2: the future, 1 cancelled, 2 holding the value, 3
     * failed with something else, 0 not done; r3: runs of the body; r4: the tracker's active count afterwards.
     */
    @JCStressTest
    @Description("cancel(true), interrupting before it completes, vs an interrupt-sensitive run: the future ends cancelled or with the value, never with the body's InterruptedException.")
    @Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "Cancelled before the body ran (before the start, or between the claim and the body).")
    @Outcome(id = "1, 1, 1, 0", expect = ACCEPTABLE, desc = "Cancelled while the body ran: interrupted, and the future cancelled whichever completion won.")
    @Outcome(id = "0, 2, 1, 0", expect = ACCEPTABLE, desc = "The run finished first: its value; cancel(true) found nothing to interrupt.")
    @Outcome(expect = FORBIDDEN, desc = "The body's InterruptedException completed the future after a cancel(true) interrupted it (r2 = 3), cancel disagrees with the future, or the task ended twice or never.")
    @State
    public static class InterruptingCancelVersusRun {
        final TaskTracker tracker = new TaskTracker("jcstress");
        final AtomicInteger runs = new AtomicInteger();
        final ServiceTask<Integer> task = accepted(tracker, () -> {
            runs.incrementAndGet();
            for (int spins = 0; spins < 200 && !Thread.currentThread().isInterrupted(); spins++) {
                Thread.onSpinWait(); // a body that runs a little while, so that the interrupt often lands in it
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("the body saw the cancel's interrupt");
            }
            return 1;
        });


        @Actor
        public void taskThread() {
            task.call();
        }

        @Actor
        public void canceller(IIII_Result r) {
            r.r1 = task.cancel(true) ? 1 : 0;
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r2 = task.isCancelled() ? 1 : task.isCompletedExceptionally() ? 3 : (Integer.valueOf(1).equals(task.getNow(null)) ? 2 : 0);
            r.r3 = runs.get();
            r.r4 = tracker.active();
        }
    }

    /**
     * A run's end against the bridge's termination giving up on it ({@code abandonRun}: the bridge
     * stopped while the body ran): the task is reported ended to the tracker exactly once, and its
     * future holds one outcome. In the service, {@code abandonRun} comes only after the run has
     * started; here it may also come first, and the run then finds the future done and skips the body.
     *
     * <p>r1: the tracker's active tasks after both (0; -1 is a second report, 1 none); r2: the future,
     * 1 the body's value, 2 cancelled, 0 not done; r3: runs of the body.
     */
    @JCStressTest
    @Description("A run's end vs abandonRun: ended once, one outcome.")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "The run completed the future first; whichever reported the end, it was reported once.")
    @Outcome(id = "0, 2, 1", expect = ACCEPTABLE, desc = "abandonRun cancelled the future while the body ran; the run's value lost; reported once.")
    @Outcome(id = "0, 2, 0", expect = ACCEPTABLE, desc = "abandonRun came before the run began: the run found the future done and skipped the body.")
    @Outcome(expect = FORBIDDEN, desc = "Reported twice or never, or the future left pending.")
    @State
    public static class RunEndVersusAbandon {
        final TaskTracker tracker = new TaskTracker("jcstress");
        final AtomicInteger runs = new AtomicInteger();
        final ServiceTask<Integer> task = accepted(tracker, runs::incrementAndGet);


        @Actor
        public void taskThread() {
            task.call();
        }

        @Actor
        public void termination() {
            task.abandonRun();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = tracker.active();
            r.r2 = task.isCancelled() ? 2 : (Integer.valueOf(1).equals(task.getNow(null)) ? 1 : 0);
            r.r3 = runs.get();
        }
    }
}
