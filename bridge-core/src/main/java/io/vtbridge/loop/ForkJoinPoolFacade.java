package io.vtbridge.loop;

import io.vtbridge.timer.Timer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Presents a {@link ShardLoop} to the JDK as a {@link ForkJoinPool}, for one reason: timed parks.
 *
 * <p>When a virtual thread parks with a timeout ({@code Thread.sleep}, {@code parkNanos}), JDK 25
 * arms the timer with {@code scheduler.schedule(...)} if its scheduler is a {@code ForkJoinPool},
 * and otherwise in a shared {@code ScheduledThreadPoolExecutor} ({@code DelayedTaskSchedulers}). The
 * latter takes a lock on the carrier, i.e. the loop thread, and fires its expiries one by one at
 * about 1 µs each; the former lets this class decide. Measured with 100k sleepers of 1 s, the pool's
 * own delay scheduler (a lock-free push, a 4-ary heap on its own thread) took {@code Thread.sleep} in
 * bridged code from behind the default scheduler to ahead of it; the loop's own heap, which now takes
 * parks (below), gives part of that back in such a burst and saves two thread wake-ups per sleep at
 * steady rates (docs/BENCHMARKS.md).
 *
 * <p>A timed park's expiry ({@code Thread.sleep}, {@code LockSupport.parkNanos}, the timed waits of
 * {@code java.util.concurrent}) goes further: {@link #schedule(Runnable, long, TimeUnit)} puts it on
 * the loop's own timer heap, as {@code Bridge.sleep} does. The JDK calls it on the carrier, i.e. the
 * loop thread, right after the virtual thread unmounts, and cancels it there before the thread
 * mounts again; the loop fires it in its timer phase, and the unpark it makes lands in the local run
 * queue. No other thread wakes for it: the loop's own wake-up at the deadline is the only one. A
 * park armed on another thread (a carrier that lost the loop, a CPU worker running a moved hog)
 * takes the pool's delay scheduler, as timed waits do.
 *
 * <p>Every continuation still runs on the loop: {@link #execute(Runnable)} is the loop's. The pool's
 * own machinery runs only the timeouts of timed {@code Object.wait} (one worker thread, started on
 * first use, plus the pool's delay-scheduler thread), and those only unblock the waiter, which
 * reaches the loop through {@code execute()}. {@link #stop()}, after the loop, stops both threads
 * and waits until they have exited.
 *
 * <p>Used on JDK 25 only ({@link #isUseful()}): that is the JDK whose source was checked. In it,
 * {@code VirtualThread} treats a custom {@code ForkJoinPool} scheduler differently in that one place;
 * its other pool-specific paths apply to the JDK's own carrier threads only. A later JDK could add a
 * path that hands continuations to the pool's own workers, off the loop, so each new JDK must be
 * checked before it is added here; until then it takes the slower, correct path.
 *
 * <p><b>Threading:</b> as {@link ForkJoinPool}; {@code execute} as {@link ShardLoop#execute}.
 */
public final class ForkJoinPoolFacade extends ForkJoinPool {

    private static final String WORKER = "-worker-";                  // the JDK's worker names: <pool>-worker-<n>
    private static final String DELAY_SCHEDULER = "-delayScheduler";  // the JDK's delay-scheduler thread: <pool>-delayScheduler

    private final ShardLoop loop;
    private final PoolThreads threads;
    private final Consumer<Timer> removeTimer; // a cancelled ParkTimeout's way off the loop's heap (one object for all)

    /**
     * @param loop       the loop that runs every continuation
     * @param threadName prefix of the worker thread's name
     */
    public ForkJoinPoolFacade(ShardLoop loop, String threadName) {
        this(loop, threadName, new PoolThreads());
    }

    private ForkJoinPoolFacade(ShardLoop loop, String threadName, PoolThreads threads) {
        super(1, pool -> {
            ForkJoinWorkerThread worker = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            threads.workerMade(worker);
            worker.setName(threadName + "-timers");
            worker.setDaemon(true);
            return worker;
        }, null, false);
        this.loop = loop;
        this.threads = threads;
        this.removeTimer = timer -> loop.services().removeTimer(timer);
    }

    /**
     * The threads of this pool, for {@link #stop()} to wait for: the workers its factory made, and the
     * pool's delay scheduler, which the JDK names after the pool (the prefix of a worker's default
     * name). Filled by the pool's factory (on whatever thread makes a worker); read by {@link #stop()}.
     */
    private static final class PoolThreads {
        final java.util.Set<Thread> workers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile String poolName; // from the first worker's default name; null until a worker was made

        void workerMade(ForkJoinWorkerThread worker) {
            workers.add(worker);
            String name = worker.getName();
            int at = name.lastIndexOf(WORKER);
            if (at > 0) {
                poolName = name.substring(0, at);
            }
        }
    }

    /** Whether this JDK is one where the facade was checked to be safe and useful (JDK 25). */
    public static boolean isUseful() {
        return Runtime.version().feature() == 25;
    }

    /**
     * The loop's {@link ShardLoop#execute}: continuations never run on this pool's threads. A resume
     * issued by this pool's own worker is the expiry of a timed wait, or of a park armed off the
     * loop's owner ({@code waitTimeoutExpired} or {@code parkTimeoutExpired}, the only tasks that
     * worker runs): it takes the loop's expiry queue, served ahead of new inbound work.
     */
    @Override
    public void execute(Runnable continuation) {
        if (Thread.currentThread() instanceof ForkJoinWorkerThread worker && worker.getPool() == this) {
            loop.executeExpiry(continuation);
        } else {
            loop.execute(continuation);
        }
    }

    /**
     * Arms a timed park's expiry on the loop's timer heap (JDK 25's {@code VirtualThread} calls this
     * from {@code afterYield}, on the carrier, normally the loop's owner); a timed
     * {@code Object.wait}'s timeout, and a park armed on any other thread (a carrier that lost the
     * loop to a hand-off, a CPU worker running a moved hog), go to the pool's own delay scheduler.
     * Parks and waits are told apart by the unit the JDK passes: a park arms in {@code NANOSECONDS},
     * a wait in {@code MILLISECONDS} (checked in JDK 25's source, the only JDK this class is used
     * on). A wait's expiry retries with {@code Thread.yield()} while a debugger holds the waiter
     * suspended, and it must not spin on the loop.
     *
     * <p>Not annotated {@code @Override}: {@code ForkJoinPool.schedule} exists from JDK 25, and this
     * class compiles against the JDK 21 API; on JDK 25 it overrides by signature.
     *
     * @return a future whose only useful method is {@code cancel}, which the JDK calls when the thread
     *         resumes before the deadline
     */
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (unit != TimeUnit.NANOSECONDS || !loop.inLoop()) {
            // A wait, or a park armed off the loop's owner: on a carrier that has just lost the loop
            // to a hand-off, or on a CPU worker running a moved hog. The loop's heap is the owner's.
            try {
                return superSchedule(command, delay, unit);
            } catch (RejectedExecutionException stopped) {
                // This pool stopped with the bridge, after its loop: the thread was abandoned, and its
                // expiry could only be dropped. A timeout that never fires, rather than an exception
                // thrown out of the JDK's park at the carrier (a CPU worker, which it would kill).
                return new ParkTimeout(System.nanoTime() + Math.min(Math.max(0, unit.toNanos(delay)), ShardLoop.MAX_DELAY_NANOS),
                        command, timeout -> { });
            }
        }
        long nanos = Math.min(Math.max(0, delay), ShardLoop.MAX_DELAY_NANOS); // an early wake is allowed; the JDK re-parks
        ParkTimeout timeout = new ParkTimeout(System.nanoTime() + nanos, command, removeTimer);
        loop.services().addTimer(timeout);
        return timeout;
    }

    private ScheduledFuture<?> superSchedule(Runnable command, long delay, TimeUnit unit) {
        try {
            return (ScheduledFuture<?>) SUPER_SCHEDULE.invokeExact(this, command, delay, unit);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** {@code ForkJoinPool.schedule(Runnable, long, TimeUnit)} as {@code super.schedule}; null before JDK 25. */
    private static final MethodHandle SUPER_SCHEDULE = superSchedule();

    private static MethodHandle superSchedule() {
        if (!isUseful()) {
            return null;
        }
        try {
            return MethodHandles.lookup().findSpecial(ForkJoinPool.class, "schedule",
                    MethodType.methodType(ScheduledFuture.class, Runnable.class, long.class, TimeUnit.class),
                    ForkJoinPoolFacade.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Stops the pool's threads, cancelling pending timers (of threads the stopped loop abandoned), and
     * waits (up to 5 s) until they have exited: the pool reports its termination when its worker
     * deregisters, a moment before that thread is gone. The pool's delay scheduler is found by the
     * name the JDK gives it, which is known once the pool has made a worker (its first expired
     * timer); a pool that never made one is waited for up to its termination only.
     *
     * @return whether every thread of the pool has exited
     */
    public boolean stop() {
        shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            if (!awaitTermination(5, TimeUnit.SECONDS)) {
                return false;
            }
            java.util.List<Thread> exiting = new java.util.ArrayList<>(threads.workers);
            String pool = threads.poolName;
            if (pool != null) {
                // The delay scheduler is the pool's own thread, not the factory's: found by its name.
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.getName().equals(pool + DELAY_SCHEDULER)) {
                        exiting.add(t);
                    }
                }
            }
            for (Thread t : exiting) {
                if (!t.join(java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
