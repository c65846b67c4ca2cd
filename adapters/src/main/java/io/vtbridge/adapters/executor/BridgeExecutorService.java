package io.vtbridge.adapters.executor;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeOverloadedException;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link ExecutorService} whose tasks run as bridged virtual threads on the shards of a
 * {@link Bridge}: one new virtual thread per task, scheduled by a shard's loop, so a task that
 * blocks in a way the JDK can unmount ({@code ReentrantLock}, {@code Thread.sleep}, sockets, JDBC
 * over sockets, {@code Future.get}) lets its shard run other work meanwhile. Anything that takes an
 * {@code Executor} then runs on shards: {@code HttpServer.setExecutor}, {@code HttpClient.Builder.executor},
 * {@code CompletableFuture.supplyAsync(supplier, executor)}.
 *
 * <pre>{@code
 * try (Bridge bridge = Bridge.builder().shards(2).build();
 *      BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
 *     server.setExecutor(executor);                                   // handlers run bridged
 *     Future<Row> row = executor.submit(() -> legacyDao.load(id));
 * }   // the executor closes first (waits for its tasks), then the bridge
 * }</pre>
 *
 * <h2>A view over a bridge you own</h2>
 * {@link #of(Bridge)} makes a service over {@code bridge}; several services may share one bridge.
 * Shutting a service down ({@link #shutdown}, {@link #shutdownNow}, {@link #close}) stops only the
 * tasks of that service and <b>never closes the bridge</b>: close the bridge yourself, after its
 * services. {@link #of(Bridge, Object)} sends every task of the service to the one shard that owns
 * {@code key} ({@link Bridge#submit(Object, Callable)}): the service's tasks then share that loop,
 * its timers and its loop-owned state.
 *
 * <h2>Bounds and rejection</h2>
 * The service keeps no queue: each task takes one of the bridge's {@code maxInFlight} slots from
 * {@code execute}/{@code submit} until it ends, and its own bookkeeping holds only those tasks. A
 * task is refused with
 * <ul>
 *   <li>a {@link RejectedExecutionException} naming this service once it is shut down;</li>
 *   <li>the bridge's {@link BridgeOverloadedException} (a subclass) when the bridge already has
 *       {@code maxInFlight} tasks in flight, from this service or any other: back off or shed load;</li>
 *   <li>the bridge's {@link RejectedExecutionException} when the bridge is closed.</li>
 * </ul>
 * A refused task never runs. A task accepted while the bridge is open that the bridge then ends
 * before it starts (the bridge closed meanwhile) never runs either: its future fails with the
 * bridge's {@link RejectedExecutionException}, and an {@code execute}d task is dropped.
 *
 * <h2>Futures</h2>
 * {@code submit} returns a {@link CompletableFuture} that completes exactly once: with the task's
 * value, with the exception it threw (the original, as the cause of {@link ExecutionException} from
 * {@code get}), with a {@link CancellationException}, or with a rejection as above. Its
 * {@code cancel(true)} interrupts the task's virtual thread if the task is running, and a task
 * cancelled before its start never starts. The interrupt lands in the task or not at all: the
 * future's dependent stages, which run on the task's thread, never see it. Dependent stages are
 * plain futures ({@code cancel} on them does not reach the task), and {@code obtrude*} is refused.
 * A task given to {@link #execute} that throws reports to its thread's uncaught-exception handler.
 *
 * <h2>Termination</h2>
 * The service is terminated once it is shut down and every task it accepted has ended (ran to its
 * end, or was cancelled, drained or refused before its start). {@link #shutdown} lets accepted tasks
 * run; {@link #shutdownNow} takes every accepted task that has not started (each is claimed by one
 * CAS that its virtual thread races for: exactly one of them wins, so a returned task never ran a
 * line), cancels its future, and interrupts every running task. {@link #close} is the JDK's: shut
 * down, wait for termination; if interrupted while waiting, {@code shutdownNow()} and keep waiting,
 * then restore the interrupt status.
 *
 * <h2>Called from its own tasks</h2>
 * A task of this service cannot wait for the service to terminate: it would wait for itself.
 * {@link #close} and {@link #awaitTermination} called from one of this service's tasks, or from a
 * dependent stage of one of its futures that runs before the task counts as ended, throw
 * {@link IllegalStateException} at once and change nothing; call {@link #shutdown} there instead.
 * Such a stage runs on the task's thread after its run, or on the thread that gave up on the task
 * before its start: the caller of {@code cancel} or {@link #shutdownNow}, or the thread on which
 * a closing bridge ended it.
 * ({@link java.util.concurrent.ThreadPoolExecutor#close} would wait forever.) {@code shutdown},
 * {@code shutdownNow} (which interrupts the caller too, as a running task), {@code invokeAll},
 * {@code invokeAny} and {@code submit} are fine from a task. Not detected: a wait for termination
 * from another thread that a task itself waits for (a {@code Bridge.blocking} call of the task, a
 * thread it joins): that waits until the task ends, which it never does.
 *
 * <p><b>Threading:</b> every method is thread-safe and may be called from any thread, bridged or
 * not, except {@link #close} and {@link #awaitTermination} from this service's own tasks (above).
 * Waits ({@code get}, {@code invokeAll}, {@code invokeAny}, {@code awaitTermination}, {@code close})
 * unmount in bridged code.
 */
public final class BridgeExecutorService implements ExecutorService {

    private static final AtomicInteger IDS = new AtomicInteger();

    private final Bridge bridge;
    private final Object key;          // every task to this key's shard; null: each task to a lightly loaded shard
    private final String name;
    private final TaskTracker tracker;

    private BridgeExecutorService(Bridge bridge, Object key) {
        this.bridge = bridge;
        this.key = key;
        this.name = bridge.name() + "-executor-" + IDS.incrementAndGet();
        this.tracker = new TaskTracker(name, bridge.terminationFuture());
    }

    /**
     * A service whose tasks run on {@code bridge}, each on a lightly loaded shard
     * ({@link Bridge#submit(Callable)}). The bridge stays yours: no method of the service closes it.
     *
     * @throws NullPointerException if {@code bridge} is null
     */
    public static BridgeExecutorService of(Bridge bridge) {
        Objects.requireNonNull(bridge, "bridge");
        return new BridgeExecutorService(bridge, null);
    }

    /**
     * A service whose tasks all run on the shard of {@code bridge} that owns {@code key}
     * ({@link Bridge#submit(Object, Callable)}), so they share one loop. The bridge stays yours.
     *
     * @throws NullPointerException if {@code bridge} or {@code key} is null
     */
    public static BridgeExecutorService of(Bridge bridge, Object key) {
        Objects.requireNonNull(bridge, "bridge");
        Objects.requireNonNull(key, "key");
        return new BridgeExecutorService(bridge, key);
    }

    /** The bridge this service runs its tasks on (not owned by the service). */
    public Bridge bridge() {
        return bridge;
    }

    // ---- submission -----------------------------------------------------------------------------

    /**
     * Runs {@code command} in a bridged virtual thread ({@link Bridge#submit(Callable)}). What it throws goes to that thread's
     * uncaught-exception handler.
     *
     * @throws RejectedExecutionException if this service is shut down, or the bridge is closed
     * @throws BridgeOverloadedException  if the bridge has {@code maxInFlight} tasks in flight
     * @throws NullPointerException       if {@code command} is null
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        start(ServiceTask.ofCommand(tracker, command));
    }

    /**
     * Runs {@code task} in a bridged virtual thread ({@link Bridge#submit(Callable)}).
     *
     * @return a future completed exactly once with the task's value or its exception; {@code
     *         cancel(true)} interrupts the task's virtual thread
     * @throws RejectedExecutionException if this service is shut down, or the bridge is closed
     * @throws BridgeOverloadedException  if the bridge has {@code maxInFlight} tasks in flight
     * @throws NullPointerException       if {@code task} is null
     */
    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return start(ServiceTask.of(tracker, task));
    }

    /**
     * Runs {@code task} in a bridged virtual thread ({@link Bridge#submit(Callable)}).
     *
     * @return a future completed exactly once, with {@code null} when the task returns
     * @throws RejectedExecutionException if this service is shut down, or the bridge is closed
     * @throws BridgeOverloadedException  if the bridge has {@code maxInFlight} tasks in flight
     * @throws NullPointerException       if {@code task} is null
     */
    @Override
    public CompletableFuture<?> submit(Runnable task) {
        Objects.requireNonNull(task, "task");
        return start(ServiceTask.of(tracker, Executors.callable(task)));
    }

    /**
     * Runs {@code task} in a bridged virtual thread ({@link Bridge#submit(Callable)}).
     *
     * @return a future completed exactly once, with {@code result} when the task returns
     * @throws RejectedExecutionException if this service is shut down, or the bridge is closed
     * @throws BridgeOverloadedException  if the bridge has {@code maxInFlight} tasks in flight
     * @throws NullPointerException       if {@code task} is null ({@code result} may be null)
     */
    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        return start(ServiceTask.of(tracker, Executors.callable(task, result)));
    }

    /**
     * Accepts {@code task}, then hands it to the bridge. Accepted first, so that a shutdownNow()
     * racing us finds it (and may drain it before the bridge's thread starts it); a bridge that
     * refuses it leaves it unclaimed, and we take it back and throw the bridge's rejection.
     */
    private <T> ServiceTask<T> start(ServiceTask<T> task) {
        if (!tracker.accept(task)) {
            throw new RejectedExecutionException("executor " + name + " is shut down");
        }
        CompletableFuture<Void> run;
        try {
            run = key == null ? bridge.submit(task) : bridge.submit(key, task);
        } catch (RuntimeException | Error unexpected) {
            task.abandon(new RejectedExecutionException("executor " + name + ": the bridge could not take the task", unexpected));
            throw unexpected;
        }
        if (!run.isDone()) {
            run.whenComplete(task); // a bridge that closes before the start ends the task without running it
            return task;
        }
        Throwable failure = failureOf(run);
        if (failure != null) {
            RejectedExecutionException rejection = ServiceTask.rejection(name, failure);
            if (task.abandon(rejection)) {
                throw rejection; // refused: never ran, not counted; BridgeOverloadedException as the bridge made it
            }
            // else shutdownNow() drained it meanwhile: accepted, then returned by shutdownNow (its future is cancelled)
        }
        return task;
    }

    /** What a done future of the bridge failed with, or null if it completed normally. */
    private static Throwable failureOf(CompletableFuture<Void> run) {
        try {
            run.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (CancellationException e) {
            return e;
        }
    }

    // ---- bulk -----------------------------------------------------------------------------------

    /**
     * Runs every task (each in its own bridged virtual thread) and returns their futures, in the
     * collection's iteration order, once all are complete. Every element is checked for null before
     * any task is submitted. If the caller is interrupted while waiting, or a task is refused, every
     * task submitted so far is cancelled ({@code cancel(true)}) and the exception is thrown.
     *
     * @return the futures, all done; an empty list for an empty collection
     * @throws InterruptedException       if the caller is interrupted before or while waiting
     * @throws RejectedExecutionException if a task is refused (as {@link #submit(Callable)})
     * @throws NullPointerException       if {@code tasks} or an element is null, naming it
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return Invocations.invokeAll(this::submit, tasks, false, 0L);
    }

    /**
     * {@link #invokeAll(Collection)} within {@code timeout}: the tasks not complete when it elapses
     * are cancelled ({@code cancel(true)}) and the futures returned. A timeout of zero or less
     * submits nothing and returns a cancelled future per task, as the JDK's pools do.
     *
     * @throws NullPointerException if {@code tasks}, an element, or {@code unit} is null, naming it
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return Invocations.invokeAll(this::submit, tasks, true, unit.toNanos(timeout));
    }

    /**
     * Runs every task and returns the value of one that completed normally; the others are then
     * cancelled ({@code cancel(true)}). Every element is checked for null before any task is
     * submitted; tasks are submitted until one has succeeded.
     *
     * @throws ExecutionException         if every task failed: its cause is the last failure, the
     *                                    task's original exception (a {@link CancellationException}
     *                                    if the task was cancelled, e.g. by {@link #shutdownNow})
     * @throws InterruptedException       if the caller is interrupted before or while waiting (every
     *                                    task is cancelled)
     * @throws RejectedExecutionException if a task is refused (every task is cancelled)
     * @throws IllegalArgumentException   if {@code tasks} is empty
     * @throws NullPointerException       if {@code tasks} or an element is null, naming it
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return Invocations.invokeAny(this::submit, tasks, false, 0L);
        } catch (TimeoutException notTimed) {
            throw new AssertionError("an untimed invokeAny timed out", notTimed);
        }
    }

    /**
     * {@link #invokeAny(Collection)} within {@code timeout}; when it elapses first, every task is
     * cancelled and {@link TimeoutException} thrown. A timeout of zero or less throws it at once,
     * submitting nothing.
     *
     * @throws NullPointerException if {@code tasks}, an element, or {@code unit} is null, naming it
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        return Invocations.invokeAny(this::submit, tasks, true, unit.toNanos(timeout));
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    /**
     * Stops accepting tasks; the accepted ones run to their end. Does not wait (see
     * {@link #awaitTermination}), and does not close the bridge. Idempotent; fine from a task.
     */
    @Override
    public void shutdown() {
        tracker.shutdown();
    }

    /**
     * Stops accepting tasks, takes every accepted task that has not started, and interrupts the
     * virtual thread of every running one (the calling thread too, if it is one). A task that is
     * taken never runs: exactly one of its virtual thread and this call claims it. Does not wait, and
     * does not close the bridge.
     *
     * @return the tasks taken, in no particular order: for a task given to {@link #execute}, the
     *         {@code Runnable} itself, not run (run it elsewhere if you like); for a task given to
     *         {@code submit}, the future {@code submit} returned, now cancelled, so that no caller of
     *         {@code get()} waits forever (running that element does nothing)
     */
    @Override
    public List<Runnable> shutdownNow() {
        return tracker.shutdownNow();
    }

    /** Whether {@link #shutdown}, {@link #shutdownNow} or {@link #close} has been called (not: whether the bridge is closed). */
    @Override
    public boolean isShutdown() {
        return tracker.isShutdown();
    }

    /** Whether this service is shut down and every task it accepted has ended. */
    @Override
    public boolean isTerminated() {
        return tracker.isTerminated();
    }

    /**
     * Waits until this service is terminated, or {@code timeout} elapses. Returns {@code true} at
     * once if it is terminated already, and {@code false} at once for a timeout of zero or less
     * otherwise (as {@code ThreadPoolExecutor} does); interrupts are checked only while waiting.
     *
     * @return whether the service is terminated
     * @throws InterruptedException  if the caller is interrupted while waiting
     * @throws IllegalStateException if called from one of this service's own tasks, or a dependent
     *                               stage of one of its futures (see the class comment), which would
     *                               wait for itself
     * @throws NullPointerException  if {@code unit} is null
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        if (tracker.isTerminated()) {
            return true;
        }
        checkNotOwnTask("awaitTermination");
        return tracker.awaitTermination(unit.toNanos(timeout));
    }

    /**
     * Shuts the service down and waits until every task it accepted has ended, as
     * {@link ExecutorService#close()} documents: if the caller is interrupted while waiting, it calls
     * {@link #shutdownNow()} (the tasks not started never run, the running ones are interrupted),
     * goes on waiting, and restores the interrupt status before it returns. No effect if the service
     * is terminated already. Does not close the bridge.
     *
     * @throws IllegalStateException if called from one of this service's own tasks, or a dependent
     *                               stage of one of its futures (see the class comment), which would
     *                               wait for itself; nothing is shut down then
     */
    @Override
    public void close() {
        if (tracker.isTerminated()) {
            return;
        }
        checkNotOwnTask("close()");
        shutdown();
        boolean interrupted = false;
        while (!tracker.isTerminated()) {
            try {
                tracker.awaitTermination();
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Refuses a wait for termination on a thread that a task of this service is waiting for: the
     * task's own thread (its body, or a dependent stage of its future run after it), or a thread that
     * is completing the future of a task it claimed before its start ({@code cancel},
     * {@code shutdownNow}'s drain, a closing bridge), whose dependent stages run there before the
     * task counts as ended.
     */
    private void checkNotOwnTask(String method) {
        Thread self = Thread.currentThread();
        if (tracker.isRunningTask(self)) {
            throw new IllegalStateException(method + " called from a task of executor " + name
                    + " (its body, or a dependent stage of its future): it would wait for itself to end;"
                    + " call shutdown() there and wait elsewhere");
        }
    }

    /** The service's name (the bridge's name, then {@code -executor-N}), its run state and its active task count. */
    @Override
    public String toString() {
        return "BridgeExecutorService[" + name + (key != null ? ", key shard " + bridge.shardFor(key).index() : "")
                + ", " + tracker + "]";
    }
}
