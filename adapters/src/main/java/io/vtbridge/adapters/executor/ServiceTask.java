package io.vtbridge.adapters.executor;

import io.vtbridge.internal.InterruptWindow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * One task a {@link BridgeExecutorService} accepted, and the future {@code submit} returns for it.
 * The bridge runs it as the body ({@link #call}) of a bridged virtual thread of its own; that thread
 * and whoever gives up on the task before it starts race for it with one CAS on {@code phase}:
 * <pre>
 *   NEW          -> RUNNING       call(): the task's bridged thread, about to run the body        (CAS)
 *   NEW          -> DRAINED       drain(): shutdownNow() takes it; it is returned, never run       (CAS)
 *   NEW          -> CANCELLED     cancel() before the start; it then cancels the future            (CAS)
 *   NEW          -> ABANDONED     abandon(): the bridge refused it or ended it unstarted (closed)  (CAS)
 *   RUNNING      -> FINISHED      call(): the body has returned or thrown                          (CAS, the running thread)
 *   RUNNING      -> INTERRUPTING  interruptRun(): cancel(true) or shutdownNow() during the run     (CAS; then interruptedByCancel;
 *                                 INTERRUPTING_V when the interrupter is a virtual thread)
 *   INTERRUPTING -> INTERRUPTED   interruptRun(), once Thread.interrupt() returned                 (release store)
 * </pre>
 * Exactly one claim leaves NEW, so the body runs at most once and a task {@code shutdownNow()}
 * returned never ran a line (jcstress {@code ExecutorTaskClaimTest}). Whoever leaves NEW, or the running
 * thread at the end of its run, reports the task ended to the {@link TaskTracker}, once, after it
 * completed the future; or, for a run the bridge abandoned when it stopped, the bridge's termination
 * ({@link #abandonRun}). One CAS on {@code endReported} makes that once.
 *
 * <p><b>Who the future's dependent stages run for.</b> They run on the thread that completes the
 * future, before the task is reported ended: the task's own thread after a run, or the thread that
 * claimed it before its start ({@code cancel}, {@code shutdownNow}'s drain, a closing bridge). A
 * {@code close()} or {@code awaitTermination} from such a stage would wait for a task that ends only
 * once the stage returns, so {@link #isRunBy} counts both as the task's threads: the runner during
 * and after its run, and the claimer while it completes the future ({@code completer}, set and
 * cleared around the completion by that thread alone, since only one thread claims). A
 * {@code CompletableFuture} also lets any other thread that calls a {@code complete*} method on it
 * (a losing canceller, say) help run pending stages; such a helper is not the task's, and need not
 * be: the task is reported ended by its owner, whatever the helper waits for (jcstress
 * {@code ExecutorTaskClaimTest.CancelVersusStartSeenByAStage}).
 *
 * <p>An interrupt lands in the body or not at all: a run that loses {@code RUNNING -> FINISHED}
 * waits until the interrupter is done, and every run clears its thread's interrupt status before it
 * completes the future, so the future's dependent stages, which run on this thread, never see an
 * interrupt meant for the body. The thread runs nothing else: it was started for this task alone.
 *
 * <p>{@code cancel(true)} interrupts <em>before</em> it completes the future: the completion runs
 * the dependent stages on the canceller's thread, and a stage that waits for the task's end
 * ({@code close()} there) must not wait for an interrupt that would only come after it. The
 * interrupter records that it interrupts for a cancel ({@code interruptedByCancel}, published by
 * its release store of INTERRUPTED), and a run interrupted so completes the future with a
 * {@link CancellationException} in place of its own outcome: whichever of the two completions wins,
 * the future is cancelled (jcstress {@code ExecutorTaskClaimTest.InterruptingCancelVersusRun}).
 *
 * <p>The future completes exactly once: with the body's value or its original exception, with a
 * {@link CancellationException} (cancelled, or drained by {@code shutdownNow()}), or with the
 * bridge's {@link RejectedExecutionException} when the bridge closed before the task started.
 * {@code obtrude*} is refused; dependent stages are plain futures, so cancelling one never
 * interrupts this task. A task given to {@code execute} has no visible future: what its body throws
 * goes to the thread's uncaught-exception handler.
 *
 * <p><b>Threading:</b> {@link #call} on the task's own bridged virtual thread, once; {@link #accept}
 * (the bridge future's completion hook) on whatever thread completes that future; everything else
 * from any thread.
 *
 * @param <T> the body's result type
 */
final class ServiceTask<T> extends CompletableFuture<T> implements Callable<Void>, BiConsumer<Object, Throwable>, Runnable {

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int DRAINED = 2;
    private static final int CANCELLED = 3;
    private static final int ABANDONED = 4;
    private static final int FINISHED = 5;
    private static final int INTERRUPTING = 6;   // the interrupter is a platform thread
    private static final int INTERRUPTED = 7;
    private static final int INTERRUPTING_V = 8; // the interrupter is a virtual thread

    private static final VarHandle PHASE = handle("phase", int.class);
    private static final VarHandle END_REPORTED = handle("endReported", int.class);

    private final TaskTracker tracker;
    private final Callable<T> callable;  // the body of a submit()ted task; null for an execute()d one
    private final Runnable command;      // the body of an execute()d task; null for a submit()ted one

    private volatile int phase;          // see the table above; changes only by CAS, and interruptRun's release store
    private Thread runner;               // plain: written by call() before its NEW -> RUNNING CAS, which publishes it; read after a CAS or a volatile read of phase that saw RUNNING or later
    private boolean interruptedByCancel; // plain: written by the one interrupter (the winner of RUNNING -> INTERRUPTING) before its setRelease(INTERRUPTED); read by endRun() after its volatile read saw INTERRUPTED
    private volatile Thread completer;   // the thread that claimed the task before its start (or abandonRun's), while it completes the future; written (set, then cleared) by that thread only, read by isRunBy from any
    private volatile int endReported;    // 0 -> 1 by CAS, once: whoever reports the task ended to the tracker (its run's end, a claim before the start, or abandonRun)

    private ServiceTask(TaskTracker tracker, Callable<T> callable, Runnable command) {
        this.tracker = tracker;
        this.callable = callable;
        this.command = command;
    }

    /** A task for {@code submit}: its future completes with what {@code callable} returns or throws. */
    static <T> ServiceTask<T> of(TaskTracker tracker, Callable<T> callable) {
        return new ServiceTask<>(tracker, callable, null);
    }

    /** A task for {@code execute}: what {@code command} throws goes to the uncaught-exception handler. */
    static ServiceTask<Void> ofCommand(TaskTracker tracker, Runnable command) {
        return new ServiceTask<>(tracker, null, command);
    }

    // ---- the run, on the task's bridged thread --------------------------------------------------

    /**
     * Runs the task, unless something claimed it first. The bridge calls this as the body of the
     * task's own bridged virtual thread.
     *
     * @return null, always: the task's outcome goes to this future, not to the bridge's
     */
    @Override
    public Void call() {
        runner = Thread.currentThread(); // published by the CAS below; a thread that loses it never runs the body
        if (!PHASE.compareAndSet(this, NEW, RUNNING)) {
            return null; // drained, cancelled or abandoned: the claimer has reported it ended
        }
        T value = null;
        Throwable failure = null;
        try {
            if (!isDone()) { // done already: cancelled just before our claim, or completed by hand (complete(v)); nothing to run
                if (command != null) {
                    command.run();
                } else {
                    value = callable.call();
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
        boolean cancelledDuringRun = endRun();
        try {
            if (command != null) {
                if (failure != null) {
                    Thread self = Thread.currentThread();
                    self.getUncaughtExceptionHandler().uncaughtException(self, failure);
                }
            } else if (cancelledDuringRun) {
                completeExceptionally(new CancellationException()); // as the cancel(true) that interrupted the body does: cancelled, whoever wins
            } else if (failure == null) {
                complete(value);
            } else {
                completeExceptionally(failure);
            }
        } finally {
            reportEnded(); // after the completion: a thread that sees the service terminated sees every future done
        }
        return null;
    }

    /**
     * Ends the run: claims FINISHED, or waits for the interrupter that claimed INTERRUPTING to be
     * done; then clears the interrupt status, so that nothing meant for the body reaches the
     * future's completion and its dependent stages on this thread.
     *
     * @return whether the run was interrupted by a {@code cancel(true)} (then the future is cancelled)
     */
    private boolean endRun() {
        boolean byCancel = false;
        if (!PHASE.compareAndSet(this, RUNNING, FINISHED)) {
            int p;
            while ((p = phase) == INTERRUPTING || p == INTERRUPTING_V) { // volatile read; pairs with interruptRun's setRelease(INTERRUPTED)
                InterruptWindow.pause(p == INTERRUPTING_V); // the interrupter is inside one Thread.interrupt()
            }
            byCancel = interruptedByCancel; // written before the release store our read of INTERRUPTED saw
        }
        Thread.interrupted();
        return byCancel;
    }

    // ---- claims by others -----------------------------------------------------------------------

    /**
     * Takes the task for {@code shutdownNow()} if it has not started: it never will, its future is
     * cancelled, and it is reported ended.
     *
     * @return whether this call took it
     */
    boolean drain() {
        if (!PHASE.compareAndSet(this, NEW, DRAINED)) {
            return false;
        }
        completeClaimed(new CancellationException()); // no waiter of get() is left behind; running the returned element does nothing
        return true;
    }

    /** What {@code shutdownNow()} returns for a drained task: an {@code execute}d command itself, else this future. */
    Runnable asDrained() {
        return command != null ? command : this;
    }

    /**
     * Gives up on a task the bridge refused, or ended without running it (a bridge that closed before
     * the start): its future fails with {@code rejection}, and the task is reported ended.
     *
     * @return whether this call claimed it (false: it started, or was drained or cancelled first)
     */
    boolean abandon(RejectedExecutionException rejection) {
        if (!PHASE.compareAndSet(this, NEW, ABANDONED)) {
            return false;
        }
        completeClaimed(rejection);
        return true;
    }

    /**
     * Completes the future of a task this thread claimed before its start (it left NEW with its CAS),
     * then reports the task ended. Meanwhile this thread counts as the task's ({@link #isRunBy}): the
     * future's dependent stages run here, and a {@code close()} or {@code awaitTermination} from one
     * of them must throw rather than wait for the end reported below. The completion fails only for a
     * future completed by hand ({@code complete(v)}) before: that outcome stays.
     */
    private void completeClaimed(Throwable outcome) {
        completer = Thread.currentThread();
        try {
            completeExceptionally(outcome);
        } finally {
            completer = null;
            reportEnded(); // after the completion: a thread that sees the service terminated sees every future done
        }
    }

    /** Reports the task ended to the tracker, unless that was done already: exactly once per task. */
    private void reportEnded() {
        if (END_REPORTED.compareAndSet(this, 0, 1)) {
            tracker.ended(this);
        }
    }

    /**
     * The bridge has terminated while this task's body was running: the bridge abandoned its thread
     * (it ignored the interrupt, or the stop's grace was too short for it to see it), which may never
     * run again. Unless the run ended meanwhile and reported itself, the future is cancelled and the
     * task reported ended, so that neither the future nor the service's termination waits for ever.
     * A body that does run on later (a thread held by a carrier-blocking call) finds both done.
     */
    void abandonRun() {
        if (END_REPORTED.compareAndSet(this, 0, 1)) {
            completer = Thread.currentThread(); // the future's stages run here: a close() in one throws instead of waiting for this task
            try {
                completeExceptionally(new CancellationException("executor " + tracker.name()
                        + ": the bridge stopped with the task running, and abandoned its thread"));
            } finally {
                completer = null;
                tracker.ended(this);
            }
        }
    }

    /**
     * The completion hook on the bridge's future for this task: if the bridge completed it without
     * running {@link #call} (it closed before the start), the task is abandoned. If it completed it
     * with a failure while the body runs ({@link #call} returns normally, so that is the bridge's
     * shutdown cancelling the run), the task waits for the bridge's termination: a run still going
     * then was abandoned by the bridge ({@link #abandonRun}).
     */
    @Override
    public void accept(Object ignored, Throwable failure) {
        int p = phase;
        if (p == NEW) {
            abandon(rejection(tracker.name(), failure));
        } else if (failure != null && p != FINISHED && endReported == 0) {
            CompletionStage<Void> termination = tracker.bridgeTermination();
            if (termination != null) {
                termination.thenRun(this::abandonRun);
            }
        }
    }

    /**
     * For {@code shutdownNow()}: interrupts the body's thread if the body is running and nobody has
     * interrupted or finished it; the run then completes the future with its own outcome.
     */
    void interruptRun() {
        interruptRun(false);
    }

    /**
     * Interrupts the body's thread if the body is running and nobody has interrupted or finished it:
     * at most one interrupt per run, and never after the run ended. {@code forCancel}: the run is to
     * complete the future as cancelled.
     */
    private void interruptRun(boolean forCancel) {
        if (!PHASE.compareAndSet(this, RUNNING, InterruptWindow.cancellerIsVirtual() ? INTERRUPTING_V : INTERRUPTING)) {
            return;
        }
        interruptedByCancel = forCancel; // before the release store below, which publishes it to endRun()
        try {
            runner.interrupt(); // written before the NEW -> RUNNING CAS our CAS read from
        } finally {
            PHASE.setRelease(this, INTERRUPTED); // pairs with the volatile read of phase in endRun()
        }
    }

    /**
     * Whether {@code thread} is this task's: its running thread (the body, or the completion after
     * it), or the thread that claimed it before its start while that thread completes the future.
     * Exact for {@code thread} == the calling thread (it reads its own writes of {@code completer}).
     */
    boolean isRunBy(Thread thread) {
        if (completer == thread) {
            return true;
        }
        int p = phase;
        return (p == RUNNING || p >= FINISHED) && runner == thread;
    }

    // ---- the future -----------------------------------------------------------------------------

    /**
     * Cancels the task: the future completes with a {@link CancellationException}; a task that has
     * not started never will (and stops counting towards termination at once); a running one's
     * virtual thread is interrupted if {@code mayInterruptIfRunning}, before the future completes,
     * and its run then ends with the future cancelled. A {@code cancel(true)} that finds the future
     * done interrupts nothing, and a run is interrupted at most once. Returns what
     * {@link CompletableFuture#cancel} returns: whether the future is now cancelled.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        // The claim first: then the future's dependent stages, which run in the completion below,
        // already run for a task this thread owns (see completeClaimed and isRunBy).
        if (PHASE.compareAndSet(this, NEW, CANCELLED)) {
            completeClaimed(new CancellationException()); // fails only after a complete(v) by hand: the task never runs either way
            return isCancelled();
        }
        // Started, or claimed by another. The interrupt before the completion: the completion runs the
        // dependent stages here, and one that waits for the task's end must not wait for this interrupt.
        if (mayInterruptIfRunning && !isDone()) {
            interruptRun(true); // running: interrupted once, and the run completes the future as cancelled; otherwise nothing
        }
        // completeExceptionally with a CancellationException is what CompletableFuture.cancel does.
        return completeExceptionally(new CancellationException()) || isCancelled();
    }

    /**
     * Does nothing: the task runs on its bridged thread. This future is a {@link Runnable} only so
     * that {@code shutdownNow()} can return it, cancelled, in its list of tasks that never started.
     */
    @Override
    public void run() {
    }

    /** Dependent stages are plain futures: cancelling one must not interrupt this task. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    /** Refused: this future completes exactly once. */
    @Override
    public void obtrudeValue(T value) {
        throw new UnsupportedOperationException("a BridgeExecutorService future completes exactly once; obtrudeValue is not supported");
    }

    /** Refused: this future completes exactly once. */
    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException("a BridgeExecutorService future completes exactly once; obtrudeException is not supported");
    }

    @Override
    public String toString() {
        return "ServiceTask[" + (command != null ? command : callable) + "]" + super.toString();
    }

    /**
     * The rejection for a task the bridge would not run: the bridge's own
     * {@link RejectedExecutionException} (a {@code BridgeOverloadedException} included) as it is;
     * anything else (the bridge cancelled the task while closing) as the cause of a new one.
     */
    static RejectedExecutionException rejection(String service, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof RejectedExecutionException rejected) {
            return rejected;
        }
        return new RejectedExecutionException("executor " + service + ": the bridge ended the task before it started", cause);
    }

    private static VarHandle handle(String field, Class<?> type) {
        try {
            return MethodHandles.lookup().findVarHandle(ServiceTask.class, field, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
