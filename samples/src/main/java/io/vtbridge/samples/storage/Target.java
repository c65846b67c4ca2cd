package io.vtbridge.samples.storage;

import io.vtbridge.Bridge;
import io.vtbridge.Mode;
import io.vtbridge.Shard;
import io.vtbridge.monitor.ShardStats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where one mode runs the store's operations and the ping: a bridge built for the mode, or a JDK
 * executor. Both hand back {@link CompletableFuture}s, as an asynchronous caller wants them.
 *
 * <p><b>Threading:</b> {@link #submit} and {@link #ping} from any thread; {@link #close} once, from
 * the thread that opened it, after the last operation has completed.
 */
sealed interface Target permits Target.OnBridge, Target.OnExecutor {

    /** Runs {@code op} the mode's way. */
    <T> CompletableFuture<T> submit(Callable<T> op);

    /** Runs a trivial task where a server's other short requests would run. */
    CompletableFuture<?> ping();

    /** Stops the threads and returns what the loops saw ({@link LoopFigures#NONE} for the JDK modes). Once. */
    LoopFigures close() throws InterruptedException;

    /** A target for {@code mode}; {@link StorageMode#PROVIDER} expects the provider to be installed already. */
    static Target open(StorageMode mode, StorageOptions o) {
        return switch (mode) {
            case VIRTUAL -> new OnExecutor(Executors.newVirtualThreadPerTaskExecutor());
            case PLATFORM -> new OnExecutor(fixedPool(o.poolThreads()));
            case REPORT, HAND_OFF, SYNC, PROVIDER -> new OnBridge(mode, o);
        };
    }

    /** A fixed pool of {@code threads} platform threads, all started before it is used (as in a server that has run a while). */
    private static ExecutorService fixedPool(int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), Thread.ofPlatform().name("storage-pool-", 0).factory());
        pool.prestartAllCoreThreads();
        return pool;
    }

    /**
     * What a bridge's loops saw while it ran (one phase): each figure is -1 for the JDK modes,
     * which have no loop.
     *
     * @param longestIterationNanos the longest loop iteration that ended on its loop's carrier
     *                              (a handed-off iteration ends on the old carrier and is not counted)
     * @param longestHogNanos       the longest hog as the watchdog reported it (when it was reported)
     * @param longestLagNanos       the longest lag as reported
     * @param hogs                  hog reports (HOG and LOOP_BLOCKED)
     * @param lags                  lag reports
     * @param handOffs              loops moved to a fresh carrier (HAND_OFF)
     * @param extraCarriersLeft     old carriers still stuck after the bridge closed (0 when all returned)
     */
    record LoopFigures(long longestIterationNanos, long longestHogNanos, long longestLagNanos, long hogs, long lags,
                       long handOffs, long extraCarriersLeft) {

        /** The JDK modes: no loop. */
        static final LoopFigures NONE = new LoopFigures(-1, -1, -1, -1, -1, -1, -1);

        /** The longest the loops were held: the longest iteration, hog or lag, nanoseconds; -1 without loops. */
        long longestStallNanos() {
            return Math.max(longestIterationNanos, Math.max(longestHogNanos, longestLagNanos));
        }
    }

    /**
     * A bridge of {@code o.shards()} shards with the mode's blocking policy and stall threshold; the
     * operations are {@code bridge.submit} (or {@code submit(Mode.SYNC, ...)}), the ping a plain
     * {@code bridge.submit} in every mode, so it shows how long a loop takes to start new work.
     */
    final class OnBridge implements Target {

        private final Bridge bridge;
        private final Mode mode;
        private final StallRecorder stalls = new StallRecorder();

        OnBridge(StorageMode storageMode, StorageOptions o) {
            this.mode = storageMode == StorageMode.SYNC ? Mode.SYNC : Mode.ASYNC;
            this.bridge = Bridge.builder()
                    .name("storage-" + storageMode.label())
                    .shards(o.shards())
                    .maxInFlight(o.callers() + Workload.PING_MAX_IN_FLIGHT + 64)
                    .blockingPolicy(storageMode.policy())
                    .stallThreshold(o.stallThreshold())
                    .blockingThreads(o.blockingThreads())
                    .listener(stalls)
                    .eventBuffer(64)      // events are not used: a small ring drops them cheaply
                    .jmx(false)
                    .build();
            if (storageMode == StorageMode.SYNC || storageMode == StorageMode.PROVIDER) {
                startBlockingPool(o.blockingThreads()); // the other modes never use it
            }
        }

        /**
         * Starts every thread of the blocking pool now, from this thread, as in a server that has run
         * a while. The pool starts a worker when a task finds none idle, on the submitting thread: for
         * the provider's first file calls that is bridged code, so the thread start ({@code Thread.start}
         * waits for the new thread to run) would hold a loop inside the measured window.
         */
        private void startBlockingPool(int threads) {
            CountDownLatch started = new CountDownLatch(threads);
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Object>> tasks = new ArrayList<>(threads);
            for (int i = 0; i < threads; i++) {
                tasks.add(bridge.submit(Mode.SYNC, () -> {
                    started.countDown();
                    release.await();
                    return null;
                }));
            }
            try {
                if (!started.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the blocking pool started " + (threads - started.getCount())
                            + " of its " + threads + " threads in 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the blocking pool", e);
            } finally {
                release.countDown();
            }
            CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).join();
        }

        @Override
        public <T> CompletableFuture<T> submit(Callable<T> op) {
            return bridge.submit(mode, op);
        }

        @Override
        public CompletableFuture<?> ping() {
            return bridge.submit(Workload.PING);
        }

        @Override
        public LoopFigures close() {
            long longest = 0;
            for (ShardStats s : bridge.stats()) {
                longest = Math.max(longest, s.longestIterationNanos());
            }
            long handOffs = 0;
            long extra = 0;
            for (Shard shard : bridge.shards()) {
                handOffs += shard.handOffs();
            }
            bridge.close(); // delivers the last stall reports to the recorder
            for (Shard shard : bridge.shards()) {
                extra += shard.extraCarriers();
            }
            return new LoopFigures(longest, stalls.longestHogNanos(), stalls.longestLagNanos(), stalls.hogs(),
                    stalls.lags(), handOffs, extra);
        }
    }

    /** A JDK executor; the ping goes to the same executor (there is nowhere else for it). */
    final class OnExecutor implements Target {

        private final ExecutorService executor;

        OnExecutor(ExecutorService executor) {
            this.executor = executor;
        }

        @Override
        public <T> CompletableFuture<T> submit(Callable<T> op) {
            CompletableFuture<T> result = new CompletableFuture<>();
            try {
                executor.execute(() -> {
                    try {
                        result.complete(op.call());
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    }
                });
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(e);
            }
            return result;
        }

        @Override
        public CompletableFuture<?> ping() {
            return submit(Workload.PING);
        }

        @Override
        public LoopFigures close() throws InterruptedException {
            executor.shutdown();
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
                throw new IllegalStateException("the executor's threads did not end within 30 s of shutdown");
            }
            return LoopFigures.NONE;
        }
    }
}
