package io.vtbridge.loop;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;

/**
 * Presents a {@link ShardLoop} to the JDK as a {@link ForkJoinPool}, for one reason: timed parks.
 *
 * <p>When a virtual thread parks with a timeout ({@code Thread.sleep}, {@code parkNanos}), JDK 25
 * arms the timer with {@code scheduler.schedule(...)} if its scheduler is a {@code ForkJoinPool},
 * and otherwise in a shared {@code ScheduledThreadPoolExecutor} ({@code DelayedTaskSchedulers}). The
 * latter takes a lock on the carrier, i.e. the loop thread, and fires its expiries one by one at
 * about 1 µs each; the former arms with a lock-free push and fires from a 4-ary heap. Measured with
 * 100k sleepers of 1 s, {@code Thread.sleep} in bridged code went from behind the default scheduler
 * to ahead of it (docs/BENCHMARKS.md).
 *
 * <p>Every continuation still runs on the loop: {@link #execute(Runnable)} is the loop's. The pool's
 * own machinery runs only the expired timer tasks (one worker thread, started on first use, plus the
 * pool's delay-scheduler thread), and those only unpark the sleeper, which reaches the loop through
 * {@code execute()}. {@link #shutdownNow()} with the loop stops both threads.
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

    private final ShardLoop loop;

    /**
     * @param loop       the loop that runs every continuation
     * @param threadName prefix of the worker thread's name
     */
    public ForkJoinPoolFacade(ShardLoop loop, String threadName) {
        super(1, pool -> {
            ForkJoinWorkerThread worker = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            worker.setName(threadName + "-timers");
            worker.setDaemon(true);
            return worker;
        }, null, false);
        this.loop = loop;
    }

    /** Whether this JDK is one where the facade was checked to be safe and useful (JDK 25). */
    public static boolean isUseful() {
        return Runtime.version().feature() == 25;
    }

    /**
     * The loop's {@link ShardLoop#execute}: continuations never run on this pool's threads. A resume
     * issued by this pool's own worker is the expiry of a timed park ({@code parkTimeoutExpired} or
     * {@code waitTimeoutExpired}, the only tasks that worker runs): it takes the loop's expiry queue,
     * served ahead of new inbound work.
     */
    @Override
    public void execute(Runnable continuation) {
        if (Thread.currentThread() instanceof ForkJoinWorkerThread worker && worker.getPool() == this) {
            loop.executeExpiry(continuation);
        } else {
            loop.execute(continuation);
        }
    }

    /** Stops the pool's threads, cancelling pending timers (of threads the stopped loop abandoned). */
    public void stop() {
        shutdownNow();
        try {
            awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
