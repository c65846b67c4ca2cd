package io.vtbridge.pool;

import io.vtbridge.BridgeOverloadedException;
import io.vtbridge.Priority;
import io.vtbridge.internal.NonBlockingThread;
import io.vtbridge.internal.VarHandles;
import io.vtbridge.monitor.PoolStats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded pool of platform worker threads with a bounded, two-priority queue: where the bridge runs
 * work that must not run on a shard loop's virtual threads (CPU-bound work, or blocking calls that
 * pin). One pool, a fixed maximum of threads, and backpressure instead of unbounded spawning: when
 * {@code queueCapacity} tasks wait, a new task is refused at once with a
 * {@link BridgeOverloadedException}.
 *
 * <p>Workers: at most {@code threads}, named {@code <name>-<n>} from 0, started lazily — a task that
 * is queued while no worker waits for work starts one, if fewer than {@code threads} are alive, on
 * the submitting thread, or, if that is a virtual thread or a loop thread and the pool has a
 * {@code starter}, on the starter's thread — and kept until shutdown (no idle timeout). They take the thread group and context class loader of the
 * thread that constructed the pool, not of the submitter that happened to start them, and no
 * inheritable thread-locals. A worker takes the oldest {@link Priority#HIGH} task, else
 * the oldest {@link Priority#LOW} one ({@link PriorityTaskQueue}). A task that throws never kills its
 * worker, and an interrupt meant for one task ({@link PoolTask#cancel}) is cleared before the next.
 *
 * <p>Exactly once: every task the pool accepts is a {@link PoolTask} whose future completes exactly
 * once — by its body, by {@code cancel}, or by a rejection from {@link #shutdownNow()} — and whose
 * body runs at most once, never after a cancel or rejection that came first.
 *
 * <p>Run states:
 * <pre>
 *   RUNNING  -> SHUTDOWN    shutdown()        refuse new tasks; queued ones still run  (any thread, CAS)
 *   RUNNING  -> STOP        shutdownNow()     refuse new tasks; reject queued ones     (any thread, CAS)
 *   SHUTDOWN -> STOP        shutdownNow()
 *   SHUTDOWN -> TERMINATED  the queue is closed and empty and no worker is alive       (under workerLock)
 *   STOP     -> TERMINATED
 * </pre>
 * Admission against shutdown is decided by the queue's lock: shutdown closes the queue, and an offer
 * either got in before (the task is queued, so it runs, or {@code shutdownNow} rejects it) or is
 * refused.
 *
 * <p><b>Threading:</b> every public method may be called from any thread, virtual threads included
 * (no {@code synchronized}: the locks are {@link ReentrantLock}s). The worker loop runs only on the
 * pool's own threads. {@link #awaitTermination} called from a worker waits for itself and times out.
 */
public final class WorkPool {

    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOP = 2;
    private static final int TERMINATED = 3;

    private static final VarHandle RUN_STATE = VarHandles.field(MethodHandles.lookup(), "runState", int.class);

    private final String name;
    private final int threads;
    private final boolean daemon;
    private final ThreadGroup group;             // the constructing thread's, if a platform thread; else null (inherit)
    private final ClassLoader contextLoader;     // the constructing thread's context class loader
    private final PriorityTaskQueue queue;
    private final ReentrantLock workerLock = new ReentrantLock();        // guards the worker set and TERMINATED
    private final Condition terminatedCondition = workerLock.newCondition();
    private final List<Thread> workers = new ArrayList<>();              // guarded by workerLock; only grows
    private final AtomicInteger running = new AtomicInteger();           // tasks inside runBody, for stats
    private final LongAdder completed = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    private final Executor starter;              // where a virtual submitter's worker starts run; null: on the submitter
    private volatile int liveWorkers;   // written under workerLock (started, not yet exited); read by stats()
    private volatile int runState;      // see the table above

    /**
     * @param name          the pool's name, for its threads and messages
     * @param threads       the most worker threads, at least 1
     * @param queueCapacity the most tasks waiting for a worker, both priorities together, at least 1
     * @param daemon        whether the worker threads are daemon threads
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code threads} or {@code queueCapacity} is below 1
     */
    public WorkPool(String name, int threads, int queueCapacity, boolean daemon) {
        this(name, threads, queueCapacity, daemon, null);
    }

    /**
     * As {@link #WorkPool(String, int, int, boolean)}, with the workers a virtual thread's submission
     * needs started by {@code starter} instead of by the submitter ({@link WorkerStarter}): a
     * {@code Thread.start} on a virtual thread holds its carrier until the new thread has run.
     *
     * @param starter runs the start of a worker for a task that a virtual thread submitted; null: the
     *                submitter starts it, whatever thread it is
     */
    public WorkPool(String name, int threads, int queueCapacity, boolean daemon, Executor starter) {
        this.starter = starter;
        this.name = Objects.requireNonNull(name, "name");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1, was " + queueCapacity);
        }
        this.threads = threads;
        this.daemon = daemon;
        // Workers start lazily, on whichever thread submits: often a virtual thread, whose group
        // ("VirtualThreads") and context loader are not what a pool thread should get.
        Thread constructor = Thread.currentThread();
        this.group = constructor.isVirtual() ? null : constructor.getThreadGroup();
        this.contextLoader = constructor.getContextClassLoader();
        this.queue = new PriorityTaskQueue(queueCapacity);
    }

    // ---- submission -----------------------------------------------------------------------------

    /**
     * Runs {@code command} on a worker. An exception it throws goes to the worker thread's
     * uncaught-exception handler; the worker survives it.
     *
     * @throws BridgeOverloadedException  if {@code queueCapacity} tasks are queued; nothing is queued
     * @throws RejectedExecutionException if the pool is shut down
     * @throws NullPointerException       if an argument is null
     */
    public void execute(Priority priority, Runnable command) {
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(command, "command");
        PoolTask<Object> task = new PoolTask<>(Executors.callable(command), queue, true);
        RejectedExecutionException refused = admit(priority, task);
        if (refused != null) {
            throw refused;
        }
    }

    /**
     * Runs {@code callable} on a worker.
     *
     * @return a future completed exactly once; already failed with {@link BridgeOverloadedException}
     *         when {@code queueCapacity} tasks are queued (nothing is queued then), or with a
     *         {@link RejectedExecutionException} when the pool is shut down
     * @throws NullPointerException if an argument is null
     */
    public <T> PoolTask<T> submit(Priority priority, Callable<T> callable) {
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(callable, "callable");
        PoolTask<T> task = new PoolTask<>(callable, queue, false);
        RejectedExecutionException refused = admit(priority, task);
        if (refused != null) {
            task.reject(refused);
        }
        return task;
    }

    /** Queues {@code task} and starts a worker for it if needed, or returns why not. */
    private RejectedExecutionException admit(Priority priority, PoolTask<?> task) {
        if (runState != RUNNING) {
            return refused(shutDownRejection()); // a shortcut only: the queue's close() is what decides
        }
        return switch (queue.enqueue(priority, task)) {
            case QUEUED -> null;
            case QUEUED_NO_IDLE_TAKER -> startWorkerFor(task);
            case FULL -> refused(BridgeOverloadedException.queueFull(name, queue.capacity()));
            case CLOSED -> refused(shutDownRejection());
        };
    }

    private RejectedExecutionException refused(RejectedExecutionException why) {
        rejected.increment();
        return why;
    }

    private RejectedExecutionException shutDownRejection() {
        return new RejectedExecutionException("pool " + name + " is shut down");
    }

    /**
     * Starts a worker for a task just queued with no idle worker to take it, if fewer than
     * {@code threads} are alive. Also after a shutdown that raced the offer: the task got in
     * before the queue closed, so it must run; only a terminated pool (whose queue is then empty)
     * starts nothing.
     *
     * @return null, or the rejection of {@code task} if no worker could be started and nobody took it
     */
    private RejectedExecutionException startWorkerFor(PoolTask<?> task) {
        if (liveWorkers >= threads) {
            // A saturated pool skips the lock. Safe: before a shutdown no worker exits, so these
            // workers come back for the task; after it, a worker leaves only an empty queue.
            return null;
        }
        Thread self = Thread.currentThread();
        if (starter != null && (self.isVirtual() || self instanceof NonBlockingThread)) {
            // A virtual thread (bridged code: its carrier is a loop) or a loop thread itself (a hog
            // moved to the CPU pool): Thread.start would hold that loop until the new thread runs.
            starter.execute(() -> startWorkerLater(task));
            return null;
        }
        workerLock.lock();
        try {
            if (liveWorkers >= threads || runState == TERMINATED) {
                return null;
            }
            startWorkerLocked();
            return null;
        } catch (Throwable startFailed) { // OutOfMemoryError: unable to create a native thread, say
            if (queue.remove(task)) {
                return refused(new RejectedExecutionException("pool " + name + " could not start a worker thread", startFailed));
            }
            return null; // a live worker took it
        } finally {
            workerLock.unlock();
        }
    }

    /**
     * A start that a submission handed to the {@code starter}: starts a worker, as the submitter would
     * have, unless {@code threads} are alive, the pool has terminated, or nothing is queued any more
     * (every task was taken, so none waits for this worker). An idle worker does not make it skip: it
     * may have been signalled for another task already. If no thread can be started, {@code task} is
     * rejected if it is still queued, as it would have been on the submitter.
     */
    private void startWorkerLater(PoolTask<?> task) {
        workerLock.lock();
        try {
            if (liveWorkers >= threads || runState == TERMINATED || queue.size() == 0) {
                return;
            }
            startWorkerLocked();
        } catch (Throwable startFailed) { // OutOfMemoryError: unable to create a native thread, say
            if (queue.remove(task)) {
                rejected.increment();
                task.reject(new RejectedExecutionException("pool " + name + " could not start a worker thread", startFailed));
            }
        } finally {
            workerLock.unlock();
        }
    }

    private void startWorkerLocked() {
        assert workerLock.isHeldByCurrentThread();
        Thread.Builder.OfPlatform builder = Thread.ofPlatform();
        if (group != null) {
            builder.group(group);
        }
        Thread worker = builder
                .name(name + "-" + workers.size())
                .daemon(daemon)
                .inheritInheritableThreadLocals(false)
                .unstarted(this::work);
        worker.setContextClassLoader(contextLoader);
        worker.start(); // before the bookkeeping: a failed start leaves none behind
        workers.add(worker);
        liveWorkers = liveWorkers + 1; // volatile write under workerLock, the only writer
    }

    // ---- workers --------------------------------------------------------------------------------

    /** A worker's life: take, run, until the queue is closed and empty. */
    private void work() {
        try {
            while (true) {
                Runnable next;
                try {
                    next = queue.take();
                } catch (InterruptedException stale) {
                    continue; // shutdownNow's interrupt (take again: it returns null once the queue is drained), or a stale one
                }
                if (next == null) {
                    return; // closed and empty
                }
                // Clear any interrupt before the state check: one from shutdownNow() is cleared only
                // if it came after its STOP store, so the check below then sees STOP.
                Thread.interrupted();
                if (runState >= STOP) {
                    rejectUnstarted(next);
                } else {
                    runOne((PoolTask<?>) next);
                }
            }
        } finally {
            workerExited();
        }
    }

    private void runOne(PoolTask<?> task) {
        running.incrementAndGet();
        try {
            if (task.runBody()) {
                completed.increment();
            }
        } catch (Throwable unexpected) {
            // runBody catches what the body throws; this is a dependent stage's StackOverflowError
            // or the like. The task's future is complete or will be: keep the worker.
        } finally {
            running.decrementAndGet();
        }
    }

    private void workerExited() {
        workerLock.lock();
        try {
            liveWorkers = liveWorkers - 1;
            if (runState < STOP && queue.size() > 0 && liveWorkers == 0) {
                // Only a worker that died of an error escaping the loop gets here with work queued:
                // replace it, or nobody would ever run that work.
                try {
                    startWorkerLocked();
                } catch (Throwable stillFailing) {
                    // Nothing more to do from here; the next submission tries again.
                }
            }
            tryTerminateLocked();
        } finally {
            workerLock.unlock();
        }
    }

    private void tryTerminateLocked() {
        assert workerLock.isHeldByCurrentThread();
        int s = runState;
        if ((s == SHUTDOWN || s == STOP) && liveWorkers == 0 && queue.isClosed() && queue.size() == 0) {
            advanceState(TERMINATED);
            terminatedCondition.signalAll();
        }
    }

    private void rejectUnstarted(Runnable task) {
        RejectedExecutionException reason =
                new RejectedExecutionException("pool " + name + " shut down before the task started");
        if (((PoolTask<?>) task).reject(reason)) {
            rejected.increment();
        }
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    /**
     * Refuses new tasks; every task already queued still runs. Does not wait: see
     * {@link #awaitTermination}. Idempotent.
     */
    public void shutdown() {
        advanceState(SHUTDOWN);
        queue.close(); // after this, every offer is refused; workers leave once the queue is empty
        workerLock.lock();
        try {
            tryTerminateLocked();
        } finally {
            workerLock.unlock();
        }
    }

    /**
     * Refuses new tasks, completes the future of every queued task with a
     * {@link RejectedExecutionException} (their bodies never run), and interrupts the workers, so
     * that running tasks see an interrupt. Does not wait: see {@link #awaitTermination}. Idempotent.
     */
    public void shutdownNow() {
        advanceState(STOP); // before the interrupts below: a worker that clears one then sees STOP
        queue.close();
        for (Runnable task : queue.drain()) {
            rejectUnstarted(task);
        }
        workerLock.lock();
        try {
            for (Thread worker : workers) {
                worker.interrupt(); // idle ones just take again and find the queue closed and empty
            }
            tryTerminateLocked();
        } finally {
            workerLock.unlock();
        }
    }

    /**
     * Waits until the pool has shut down, its queue is empty and every worker thread has exited
     * (joined).
     *
     * @return whether that happened within the timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        long deadline = System.nanoTime() + nanos;
        List<Thread> exited;
        workerLock.lockInterruptibly();
        try {
            while (runState != TERMINATED) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminatedCondition.awaitNanos(nanos);
            }
            exited = List.copyOf(workers); // final: a terminated pool starts no worker
        } finally {
            workerLock.unlock();
        }
        // Every worker has left its loop; join them so that none is even finishing its exit.
        for (Thread worker : exited) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!worker.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@link #shutdown()} or {@link #shutdownNow()} has been called. */
    public boolean isShutdown() {
        return runState != RUNNING;
    }

    /** Whether the pool has shut down, its queue is empty and no worker is left in its loop. */
    public boolean isTerminated() {
        return runState == TERMINATED;
    }

    private boolean advanceState(int target) {
        while (true) {
            int s = runState;
            if (s >= target) {
                return false;
            }
            if (RUN_STATE.compareAndSet(this, s, target)) {
                return true;
            }
        }
    }

    // ---- monitoring -----------------------------------------------------------------------------

    /** The pool's name. */
    public String name() {
        return name;
    }

    /** The most worker threads this pool starts. */
    public int threads() {
        return threads;
    }

    /** The most tasks waiting for a worker, both priorities together. */
    public int queueCapacity() {
        return queue.capacity();
    }

    /** A snapshot of the pool's counters. */
    public PoolStats stats() {
        return new PoolStats(name, threads, liveWorkers, queue.size(Priority.HIGH), queue.size(Priority.LOW),
                running.get(), completed.sum(), rejected.sum());
    }

    @Override
    public String toString() {
        return "WorkPool[" + stats() + "]";
    }
}
