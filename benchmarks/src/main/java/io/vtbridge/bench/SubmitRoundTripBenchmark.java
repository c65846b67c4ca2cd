package io.vtbridge.bench;

import io.vtbridge.Bridge;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An external thread (the JMH worker) submits a trivial {@link Callable} and waits for its result:
 * <ul>
 *   <li>{@code bridge}: {@code bridge.submit(task).join()} on a 2-shard {@link Bridge};</li>
 *   <li>{@code virtual}: {@code Executors.newVirtualThreadPerTaskExecutor().submit(task).get()};</li>
 *   <li>{@code platform}: {@code Executors.newFixedThreadPool(2).submit(task).get()}.</li>
 * </ul>
 * {@link #roundTrip} has one task in flight: the latency of a hand-off into the executor and back,
 * where the executor is usually idle (parked) when the task arrives. {@link #batch} puts {@value
 * #BATCH} tasks in flight and then waits for all of them: the cost per submission when the executor
 * is kept busy (JMH reports it per submission through {@code @OperationsPerInvocation}).
 *
 * <p>For the bridge, the {@link LoopUnparks} counters show what the wake-up protocol costs: the
 * unparks other threads issued to the loops, next to the submissions made. A submission to a loop
 * that is awake must not unpark it, so in {@code batch} the ratio should be far below one per
 * submission, and in {@code roundTrip} at most one.
 */
public class SubmitRoundTripBenchmark extends BridgeBenchmark {

    /** Submissions in flight per invocation of {@link #batch}. */
    static final int BATCH = 1000;

    /** Shards of the bridge: one per core of the 2-core reference machine, as the default would be. */
    static final int SHARDS = 2;

    private static final Callable<Integer> TASK = () -> 42;

    @Param({BRIDGE, BRIDGE_DELAYS, VIRTUAL, PLATFORM})
    public String executor;

    private Bridge bridge;          // set for "bridge"
    private ExecutorService pool;   // set for "virtual" and "platform"
    private final CompletableFuture<?>[] bridgeFutures = new CompletableFuture<?>[BATCH];
    private final Future<?>[] poolFutures = new Future<?>[BATCH];

    @Setup(Level.Trial)
    public void start() {
        switch (executor) {
            case BRIDGE, BRIDGE_DELAYS -> bridge = newBridge("bench-submit", SHARDS, 10 * BATCH, executor.equals(BRIDGE_DELAYS));
            case VIRTUAL -> pool = Executors.newVirtualThreadPerTaskExecutor();
            case PLATFORM -> pool = Executors.newFixedThreadPool(2);
            default -> throw unknownExecutor(executor);
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        if (bridge != null) {
            bridge.close();
        }
        if (pool != null) {
            shutdown(pool);
        }
    }

    /** Loop unparks so far, over all shards; 0 for the JDK executors, which have no loops. */
    long loopUnparks() {
        return bridge == null ? 0 : loopUnparks(bridge);
    }

    /** One task in flight: submit, then wait for its result. */
    @Benchmark
    public Object roundTrip(LoopUnparks counters) throws InterruptedException, ExecutionException {
        counters.submits++;
        if (bridge != null) {
            return bridge.submit(TASK).join();
        }
        return pool.submit(TASK).get();
    }

    /** {@value #BATCH} tasks in flight: submit them all, then wait for every result. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void batch(LoopUnparks counters, Blackhole blackhole) throws InterruptedException, ExecutionException {
        counters.submits += BATCH;
        if (bridge != null) {
            CompletableFuture<?>[] futures = bridgeFutures;
            for (int i = 0; i < BATCH; i++) {
                futures[i] = bridge.submit(TASK);
            }
            for (int i = 0; i < BATCH; i++) {
                blackhole.consume(futures[i].join());
                futures[i] = null;
            }
        } else {
            Future<?>[] futures = poolFutures;
            for (int i = 0; i < BATCH; i++) {
                futures[i] = pool.submit(TASK);
            }
            for (int i = 0; i < BATCH; i++) {
                blackhole.consume(futures[i].get());
                futures[i] = null;
            }
        }
    }

    /**
     * Loop unparks next to submissions, per measurement iteration. JMH sums {@code EVENTS} counters
     * over the iterations (and threads) of a run, so both columns are totals over the run, taken over
     * the same window: <b>unparks per submission = {@code loopUnparks / submits}</b>.
     * {@code loopUnparks} is 0 for the JDK executors, which have no loops.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class LoopUnparks {
        /** Submissions made by this JMH thread in the iteration. */
        public long submits;
        /** Unparks the bridge's loops received during the iteration (all shards, all threads). */
        public long loopUnparks;

        private long unparksBefore;

        @Setup(Level.Iteration)
        public void begin(SubmitRoundTripBenchmark benchmark) {
            submits = 0;
            loopUnparks = 0;
            unparksBefore = benchmark.loopUnparks();
        }

        @TearDown(Level.Iteration)
        public void end(SubmitRoundTripBenchmark benchmark) {
            loopUnparks = benchmark.loopUnparks() - unparksBefore;
        }
    }
}
