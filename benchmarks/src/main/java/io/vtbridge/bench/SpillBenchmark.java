package io.vtbridge.bench;

import io.vtbridge.Bridge;
import io.vtbridge.Shard;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A skewed load, as a throughput benchmark: one driver thread submits {@value #TASKS} CPU tasks (a
 * fixed amount of arithmetic each, about 10 to 20 µs on the reference machine; no sleep) and waits
 * for all of them. Rows ({@code @Param balance}):
 * <ul>
 *   <li>{@code on}: the driver is a bridged task on shard 0 of a 2-shard {@link Bridge}; its tasks
 *       have no key, so locality queues them all on shard 0, and the spill moves some to shard 1,
 *       which has nothing else to do ({@code BridgeBuilder.balance(true)}, the default);</li>
 *   <li>{@code off}: the same with {@code balance(false)}: every task runs on shard 0;</li>
 *   <li>{@code virtual}: the JDK baseline: the same tasks on
 *       {@code Executors.newVirtualThreadPerTaskExecutor()}, submitted from one virtual thread of it.</li>
 * </ul>
 * The score is tasks per millisecond ({@code @OperationsPerInvocation}). On two cores, {@code on}
 * should come close to twice {@code off}; the {@link Moves} counters show how many tasks the loops
 * moved.
 *
 * <p><b>Threading:</b> as {@link BridgeBenchmark}: one JMH worker thread calls {@link #skewed},
 * which waits for the driver.
 */
public class SpillBenchmark extends BridgeBenchmark {

    /** Tasks the driver submits per invocation. */
    static final int TASKS = 1_000;

    /** Rounds of arithmetic per task: about 10 to 20 µs of one core's time. */
    static final int ROUNDS = 9_000;

    /** Shards of the bridge: one per core of the 2-core reference machine. */
    static final int SHARDS = 2;

    /** The bridge with the spill on (the row). */
    static final String ON = "on";
    /** The bridge with the spill off. */
    static final String OFF = "off";

    @Param({ON, OFF, VIRTUAL})
    public String balance;

    private Bridge bridge;          // "on" and "off"
    private Integer driverKey;      // a key of shard 0: the driver's
    private ExecutorService pool;   // "virtual"

    /**
     * A 2-shard bridge (named after the benchmark, closing quickly) with the spill on or off, room
     * for the driver's tasks, and nothing else changed.
     */
    static Bridge newBalancingBridge(String name, int shards, int maxInFlight, boolean balance) {
        return withIdleSpinsProperty(Bridge.builder()
                .name(name)
                .shards(shards)
                .maxInFlight(maxInFlight)
                .balance(balance)
                .closeTimeout(Duration.ofSeconds(10)))
                .build();
    }

    /** The smallest non-negative integer key {@code bridge} places on shard {@code index}. */
    static int keyOf(Bridge bridge, int index) {
        for (int key = 0; ; key++) {
            if (bridge.shardFor(key).index() == index) {
                return key;
            }
        }
    }

    /** One task's work: {@value #ROUNDS} rounds of a 64-bit linear congruential step, dependent on each other. */
    static long work(long seed) {
        long x = seed;
        for (int i = 0; i < ROUNDS; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            x ^= x >>> 29;
        }
        return x;
    }

    @Setup(Level.Trial)
    public void start() {
        switch (balance) {
            case ON, OFF -> {
                bridge = newBalancingBridge("bench-spill", SHARDS, 2 * TASKS + 1, balance.equals(ON));
                driverKey = keyOf(bridge, 0);
            }
            case VIRTUAL -> pool = Executors.newVirtualThreadPerTaskExecutor();
            default -> throw new IllegalArgumentException("unknown balance '" + balance + "'; expected "
                    + ON + ", " + OFF + " or " + VIRTUAL);
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

    /** Tasks moved between the shards so far (0 for the JDK row). */
    long moved() {
        long n = 0;
        if (bridge != null) {
            for (Shard shard : bridge.shards()) {
                n += shard.tasksMovedIn();
            }
        }
        return n;
    }

    /** The driver submits {@value #TASKS} tasks and waits for all; returns the sum of their results. */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long skewed(Moves moves) throws Exception {
        moves.tasks += TASKS;
        if (bridge != null) {
            Bridge b = bridge;
            return b.submit(driverKey, () -> {
                CompletableFuture<?>[] futures = new CompletableFuture<?>[TASKS];
                for (int i = 0; i < TASKS; i++) {
                    long seed = i;
                    futures[i] = b.submit(() -> work(seed)); // no key, from shard 0: queued on shard 0
                }
                Bridge.await(CompletableFuture.allOf(futures));
                return sum(futures);
            }).get();
        }
        ExecutorService p = pool;
        return p.submit(() -> {
            Future<?>[] futures = new Future<?>[TASKS];
            for (int i = 0; i < TASKS; i++) {
                long seed = i;
                futures[i] = p.submit((Callable<Long>) () -> work(seed));
            }
            return sum(futures);
        }).get();
    }

    private static long sum(Future<?>[] futures) throws InterruptedException, ExecutionException {
        long sum = 0;
        for (Future<?> f : futures) {
            sum += (Long) f.get();
        }
        return sum;
    }

    /**
     * Tasks run and tasks moved between the shards, per measurement iteration; JMH sums
     * {@code EVENTS} counters over the run, so <b>moved per task = {@code moved / tasks}</b>.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Moves {
        /** Tasks the driver submitted in the iteration. */
        public long tasks;
        /** Tasks the loops moved to another shard in the iteration (0 for the JDK row). */
        public long moved;

        private long movedBefore;

        @Setup(Level.Iteration)
        public void begin(SpillBenchmark benchmark) {
            tasks = 0;
            moved = 0;
            movedBefore = benchmark.moved();
        }

        @TearDown(Level.Iteration)
        public void end(SpillBenchmark benchmark) {
            moved = benchmark.moved() - movedBefore;
        }
    }
}
