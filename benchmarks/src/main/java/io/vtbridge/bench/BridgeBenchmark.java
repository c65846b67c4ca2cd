package io.vtbridge.bench;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeBuilder;
import io.vtbridge.monitor.ShardStats;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The settings every vtbridge benchmark shares, in one place (as Netty's
 * {@code AbstractMicrobenchmark}): one fork that opens {@code java.lang} to the bridge, 3 warm-up and
 * 5 measurement iterations of 1 s, average time in nanoseconds per operation. The defaults are modest
 * because the reference machine has 2 cores; the usual JMH options override them
 * ({@code -f 3 -wi 5 -i 10 -w 2s -r 2s -tu us ...}).
 *
 * <p>Every subclass compares the bridge with JDK baselines in the same run through a
 * {@code @Param executor}; the bridge rows and the baseline rows then share the JVM flags, the
 * machine state and the JMH settings.
 *
 * <p><b>Threading:</b> a {@link Scope#Benchmark} state: JMH calls the setup and tear-down methods of
 * subclasses on one of its worker threads, and the benchmark methods on its worker threads (one, by
 * default).
 */
@Fork(value = 1, jvmArgsAppend = BridgeBenchmark.OPENS)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public abstract class BridgeBenchmark {

    /** Opens {@code java.lang} to the bridge's scheduler; every JVM that builds a {@link Bridge} needs it. */
    static final String OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    /**
     * System property: {@code idleSpins} of the bridges built by {@link #newBridge} and the spill
     * benchmark (pass {@code -jvmArgs -Dvtbridge.bench.idleSpins=0}); unset, the default. The
     * harnesses and the JDBC and process benchmarks do not read it.
     */
    static final String IDLE_SPINS_PROPERTY = "vtbridge.bench.idleSpins";

    /** The {@code executor} parameter value that selects the bridge. */
    static final String BRIDGE = "bridge";
    /** The bridge with its scheduling-delay histograms on ({@code BridgeBuilder.schedulingDelays(true)}): their cost. */
    static final String BRIDGE_DELAYS = "bridge-delays";
    /** The {@code executor} parameter value that selects the JDK's default virtual threads. */
    static final String VIRTUAL = "virtual";
    /** The {@code executor} parameter value that selects platform threads. */
    static final String PLATFORM = "platform";

    /** A bridge named after the benchmark, with {@code shards} loops, that closes quickly. */
    static Bridge newBridge(String name, int shards, int maxInFlight) {
        return newBridge(name, shards, maxInFlight, false);
    }

    /** The same, with the scheduling-delay histograms on or off. */
    static Bridge newBridge(String name, int shards, int maxInFlight, boolean delays) {
        BridgeBuilder builder = Bridge.builder()
                .name(name)
                .shards(shards)
                .maxInFlight(maxInFlight)
                .closeTimeout(Duration.ofSeconds(10))
                .schedulingDelays(delays);
        return withIdleSpinsProperty(builder).build();
    }

    /** {@code builder} with the loops' idle spin from {@value #IDLE_SPINS_PROPERTY} when it is set (an A/B run); else as it is. */
    static BridgeBuilder withIdleSpinsProperty(BridgeBuilder builder) {
        Integer idleSpins = Integer.getInteger(IDLE_SPINS_PROPERTY);
        return idleSpins == null ? builder : builder.idleSpins(idleSpins);
    }

    /** Unparks the bridge's loops have received from other threads, over all shards, so far. */
    static long loopUnparks(Bridge bridge) {
        long sum = 0;
        for (ShardStats stats : bridge.stats()) {
            sum += stats.unparks();
        }
        return sum;
    }

    /** Shuts {@code pool} down and waits for its threads, so that the next trial starts clean. */
    static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdownNow();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("executor did not terminate: " + pool);
        }
    }

    static IllegalArgumentException unknownExecutor(String executor) {
        return new IllegalArgumentException("unknown executor '" + executor + "'; expected "
                + BRIDGE + ", " + BRIDGE_DELAYS + ", " + VIRTUAL + " or " + PLATFORM);
    }
}
