package io.vtbridge.task;

import io.vtbridge.internal.InterruptWindow;
import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * A future whose body runs at most once, on one thread, and whose {@code cancel(true)} interrupts
 * that run and nothing else: the shared machinery of a submitted bridge task and of a work-pool task.
 *
 * <p>Who gets to act is decided by one CAS on {@code phase}, not by the future: the body runs only if
 * its thread wins {@code NEW -> RUNNING}; whoever gives up on the task first (a cancel before the
 * start, a rejection, a shutdown) wins {@code NEW -> ABORTED} instead, and the body never runs.
 * <pre>
 *   NEW          -> RUNNING       claimRun(): the thread about to run the body       (CAS)
 *   NEW          -> ABORTED       claimAbort(): cancelled, rejected or shut down     (CAS)
 *                                 before the start
 *   RUNNING      -> FINISHED      finishRun(): the body has returned or thrown       (CAS, the running thread)
 *   RUNNING      -> INTERRUPTING  interruptRun(): cancel(true) during the run        (CAS, the canceller;
 *                                 INTERRUPTING_V when the canceller is a virtual thread)
 *   INTERRUPTING -> INTERRUPTED   interruptRun(), once Thread.interrupt() returned   (release store, the canceller)
 * </pre>
 * A run that loses {@code RUNNING -> FINISHED} waits until INTERRUPTED before its thread moves on, so
 * a cancel's interrupt lands in this run or not at all: never in whatever the thread runs next (a
 * pool worker's next task; the worker clears the flag between tasks). The wait is short: the
 * canceller is inside one {@code Thread.interrupt()}.
 *
 * <p>Exactly once: completion goes through {@link CompletableFuture}'s single CAS (the first of value,
 * failure, cancellation or rejection wins), {@code obtrude*} is refused, and dependent stages are
 * plain futures, so cancelling one of them never interrupts this run. The jcstress
 * {@code PoolTaskCancelTest} checks the cancel-versus-run hand-off.
 *
 * <p><b>Threading:</b> {@link #claimRun} and {@link #finishRun} by the thread that runs the body;
 * {@link #claimAbort} and {@link #interruptRun} from any thread; the future's methods from any thread.
 *
 * @param <T> the body's result type
 */
public abstract class RunOnceFuture<T> extends CompletableFuture<T> {

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int ABORTED = 2;
    private static final int FINISHED = 3;
    private static final int INTERRUPTING = 4;   // the canceller is a platform thread
    private static final int INTERRUPTED = 5;
    private static final int INTERRUPTING_V = 6; // the canceller is a virtual thread

    private static final VarHandle PHASE = VarHandles.field(MethodHandles.lookup(), "phase", int.class);

    private volatile int phase;      // see the table above; changes only through the CAS helpers and interruptRun's release store
    private volatile Thread runner;  // written by the running thread right after it wins NEW -> RUNNING, cleared by finishRun; read by the canceller that wins RUNNING -> INTERRUPTING

    protected RunOnceFuture() {
    }

    /**
     * Claims the run for the current thread.
     *
     * @return whether the body may run here; {@code false} if the task was aborted or claimed before
     */
    protected final boolean claimRun() {
        if (!PHASE.compareAndSet(this, NEW, RUNNING)) {
            return false;
        }
        runner = Thread.currentThread(); // at once: a canceller that won RUNNING -> INTERRUPTING waits for it
        return true;
    }

    /**
     * Claims a task that has not started, so that it never will.
     *
     * @return whether this call claimed it; {@code false} if it had started or was claimed before
     */
    protected final boolean claimAbort() {
        return PHASE.compareAndSet(this, NEW, ABORTED);
    }

    /**
     * Ends a claimed run: claims the completion, or else waits for the {@code cancel(true)} that
     * claimed the run to finish its interrupt, so that the interrupt cannot land in what this thread
     * runs next.
     *
     * @return whether this run ended normally (no cancel interrupted it), so that it may complete
     *         the future with the body's outcome
     */
    protected final boolean finishRun() {
        boolean finished = PHASE.compareAndSet(this, RUNNING, FINISHED);
        if (!finished) {
            int p;
            while ((p = phase) == INTERRUPTING || p == INTERRUPTING_V) {
                // The canceller is inside Thread.interrupt(); it stores INTERRUPTED next.
                InterruptWindow.pause(p == INTERRUPTING_V);
            }
        }
        runner = null;
        return finished;
    }

    /**
     * Interrupts the running body, if it is running and nobody else has interrupted or finished it.
     *
     * @return whether this call interrupted the run
     */
    protected final boolean interruptRun() {
        if (!PHASE.compareAndSet(this, RUNNING, InterruptWindow.cancellerIsVirtual() ? INTERRUPTING_V : INTERRUPTING)) {
            return false;
        }
        try {
            Thread t;
            while ((t = runner) == null) {
                Thread.onSpinWait(); // stored right after its RUNNING claim, with no unmount in between: a few instructions
            }
            t.interrupt();
        } finally {
            PHASE.setRelease(this, INTERRUPTED); // pairs with the volatile read of phase in finishRun()
        }
        return true;
    }

    /** The thread running the body now, or {@code null}. */
    public final Thread runner() {
        return runner;
    }

    /** Dependent stages are plain futures: cancelling one must not interrupt this task. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    /** Refused: this future completes exactly once. */
    @Override
    public void obtrudeValue(T value) {
        throw new UnsupportedOperationException("a vtbridge future completes exactly once; obtrudeValue is not supported");
    }

    /** Refused: this future completes exactly once. */
    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException("a vtbridge future completes exactly once; obtrudeException is not supported");
    }
}
