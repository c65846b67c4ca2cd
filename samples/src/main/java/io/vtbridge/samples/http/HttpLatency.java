package io.vtbridge.samples.http;

import io.vtbridge.samples.load.Cpu;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code ./vtb sample http-latency}: HTTP latency at a fixed load. The same JDK {@code HttpServer}
 * handler, a short blocking legacy call ({@link LegacyStore}: a 1 ms remote call as
 * {@code Thread.sleep}, then a map update under a {@code ReentrantLock}), runs on a bridge
 * ({@code BridgeExecutorService}) and on default virtual threads, at several fixed request rates
 * below saturation, open loop ({@code OpenLoop}: latency from the due time). First each mode serves a
 * fixed count of requests as fast as it can, then every rate and mode runs once briefly, unmeasured
 * (the JIT's warm-up: its compilations otherwise inflate the first round's CPU time); then rounds run every rate
 * and mode in turn, the modes' order alternating by round. The table shows p50/p99/p99.9/max, how
 * late the sender itself was, and the CPU time per request: the process's, and the server's (the
 * process's minus the load generator's threads).
 *
 * <p>Goal, per rate, on the medians over the rounds: the bridge's p50 and p99 no worse than default
 * virtual threads', and its CPU time per request lower.
 *
 * <p><b>Threading:</b> {@link #main} and {@link #run} on one thread, which also sends the requests;
 * the servers and the client run on their own threads, all closed before {@link #run} returns.
 */
public final class HttpLatency {

    /** The longest the JIT's warm-up may take per mode. */
    private static final Duration WARMUP_LIMIT = Duration.ofSeconds(30);

    /** The most requests outstanding at once; beyond it a due request is refused (counted as lost). */
    private static final int MAX_IN_FLIGHT = 10_000;

    private HttpLatency() {
    }

    /**
     * What a run measured.
     *
     * @param rows    one per rate, mode and round, in the order run
     * @param goalMet whether the goal held at every rate (false if a mode did not run)
     */
    public record Result(List<LatencyRow> rows, boolean goalMet) {
    }

    /** Runs the sample with the options {@code --help} lists; a bad option exits with code 2. */
    public static void main(String[] args) throws Exception {
        LatencyOptions options = SampleArgs.optionsOrExit("http-latency", args, LatencyOptions::parse);
        if (options != null) {
            run(options);
        }
    }

    /** Runs every rate and mode {@code options.rounds()} times, prints the tables and the goal, writes the CSV if asked. */
    public static Result run(LatencyOptions options) throws Exception {
        Objects.requireNonNull(options, "options");
        System.out.printf(Locale.ROOT, "http-latency: %d processors, JDK %s; each request: %d us remote call (Thread.sleep),"
                        + " then a map update under a ReentrantLock, %d keys; rates %s/s open loop, %.1f s measured per"
                        + " rate, mode and round (after %.1f s of warm-up); bridge: %d shards%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), options.remote().toNanos() / 1000,
                options.keys(), options.rates(), options.measure().toNanos() / 1e9, options.warmup().toNanos() / 1e9,
                options.shards());
        for (LatencyMode mode : options.modes()) {
            warmUpJit(mode, options);
        }
        for (int rate : options.rates()) {
            for (LatencyMode mode : options.modes()) {
                runOnce(rate, 0, mode, options, options.warmup());   // a round 0, not measured: the same code at the same rates
            }
        }
        if (!JitSettle.await(JitSettle.maxWaitAfter(options.warmup()))) {
            System.out.println("  (the JIT was still compiling after the warm-up: the first round may show it)");
        }
        List<LatencyRow> rows = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            for (int rate : options.rates()) {
                List<LatencyMode> order = new ArrayList<>(options.modes());
                if (round % 2 == 0) {
                    order = order.reversed();              // interleaved: neither mode always goes first
                }
                for (LatencyMode mode : order) {
                    rows.add(runOnce(rate, round, mode, options, options.measure()));
                }
            }
        }
        LatencyTable.print(rows, System.out);
        boolean met = LatencyTable.printGoal(rows, options.rates(), System.out);
        if (options.csv() != null) {
            RecordCsv.write(options.csv(), LatencyRow.class, rows);
            System.out.println("rows written to " + options.csv());
        }
        return new Result(List.copyOf(rows), met);
    }

    /**
     * The JIT's warm-up of {@code mode}'s code, not measured: a fresh server and client, and
     * {@link HttpLoad#jitWarmupRequests} requests sent as fast as they are answered.
     */
    private static void warmUpJit(LatencyMode mode, LatencyOptions o) throws Exception {
        try (LatencyServer server = new LatencyServer(mode, o.port(), o.shards(), o.remote());
             HttpLoad client = new HttpLoad("client", 2)) {
            URI[] uris = server.uris(o.keys());
            int[] next = {0};                                           // the sending thread only
            if (!client.warmUp(() -> uris[next[0]++ % uris.length], HttpLoad.jitWarmupRequests(o.warmup()), 16,
                    WARMUP_LIMIT)) {
                System.out.println("  (" + mode.label() + ": the warm-up's requests were not all answered within "
                        + WARMUP_LIMIT.toSeconds() + " s)");
            }
        }
    }

    /** One rate, mode and round: a fresh server and client, warm-up, {@code measure} of requests, all closed. */
    private static LatencyRow runOnce(int rate, int round, LatencyMode mode, LatencyOptions o, Duration measure)
            throws Exception {
        try (LatencyServer server = new LatencyServer(mode, o.port(), o.shards(), o.remote());
             HttpLoad client = new HttpLoad("client", 2)) {
            URI[] uris = server.uris(o.keys());
            long[] next = {0};                                          // the sender thread only
            client.openLoop("warm-up", () -> uris[(int) (next[0]++ % uris.length)], rate, o.warmup(), MAX_IN_FLIGHT);
            long cpuBefore = Cpu.processNanos();
            long loadBefore = LoadThreads.cpuNanos();
            Map<Long, Long> carriersBefore = CarrierThreads.snapshot(LatencyServer.BRIDGE_NAME);
            long start = System.nanoTime();
            HttpLoad.Paced paced = client.openLoop(mode.label() + " at " + rate + "/s",
                    () -> uris[(int) (next[0]++ % uris.length)], rate, measure, MAX_IN_FLIGHT);
            long wall = System.nanoTime() - start;
            long load = LoadThreads.cpuNanos() - loadBefore;
            long carriers = CarrierThreads.cpuNanosSince(carriersBefore, LatencyServer.BRIDGE_NAME);
            long cpu = Cpu.processNanos() - cpuBefore;
            var r = paced.result();
            double perRequest = r.ok() == 0 ? Double.NaN : cpu / 1000.0 / r.ok();
            double serverPerRequest = r.ok() == 0 ? Double.NaN : (cpu - load) / 1000.0 / r.ok();
            double carriersPerRequest = r.ok() == 0 ? Double.NaN : carriers / 1000.0 / r.ok();
            return new LatencyRow(rate, round, mode.label(), r.sent(), r.ok(), r.failed() + r.refused() + r.unfinished(),
                    r.millis(50), r.millis(99), r.millis(99.9), r.maxMillis(), paced.senderLateMillis(99),
                    round1(perRequest), round1(serverPerRequest), round1(100 * Cpu.share(0, cpu, wall)),
                    round1(carriersPerRequest));
        }
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
