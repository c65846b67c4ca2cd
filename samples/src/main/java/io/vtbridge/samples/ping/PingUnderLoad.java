package io.vtbridge.samples.ping;

import io.vtbridge.samples.http.HttpLoad;
import io.vtbridge.samples.http.JitSettle;
import io.vtbridge.samples.http.LoadThreads;
import io.vtbridge.samples.http.RecordCsv;
import io.vtbridge.samples.http.SampleArgs;
import io.vtbridge.samples.load.Cpu;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code ./vtb sample ping-under-load}: a server whose {@code /ping} must answer at once while
 * {@code /query} and a background job keep the CPU busy (InfluxDB IOx's CPU-pool rule: never run
 * CPU-heavy work on the threads that serve I/O). The same JDK {@code HttpServer}, handlers and work
 * run in each {@link PingMode}: on a bridge whose CPU pool does the work ({@code Bridge.compute},
 * queries HIGH, background LOW), with that pool on every core, on one common fixed pool, and on
 * default virtual threads. First every mode serves a fixed count of pings as fast as it can, then
 * runs once with the queries, unmeasured (the JIT's warm-up); then per mode
 * and round, on a fresh server: {@code queryClients} closed-loop clients keep the
 * server busy, and pings go out open loop at a fixed rate ({@code OpenLoop}), their latency counted
 * from when each was due. The table shows ping p50/p99/max, the CPU busy share, how late the sender
 * itself was, and the queries and background work served meanwhile.
 *
 * <p>Goal: ping p99 under 5 ms on the bridge while the CPU is busy, and at least 10 times better
 * than the common pool's, in every round.
 *
 * <p><b>Threading:</b> {@link #main} and {@link #run} on one thread, which also sends the pings; the
 * servers and the load generator run on their own threads, all closed before {@link #run} returns.
 */
public final class PingUnderLoad {

    /** The goal's bound on the bridge's ping p99. */
    static final double GOAL_P99_MS = 5.0;

    /** The goal's factor over the common pool's ping p99. */
    static final double GOAL_FACTOR = 10.0;

    /** The longest the JIT's warm-up of the pings may take per mode. */
    private static final Duration WARMUP_LIMIT = Duration.ofSeconds(30);

    /** The most pings outstanding at once; beyond it a due ping is refused (counted as lost). */
    private static final int MAX_PINGS_IN_FLIGHT = 10_000;

    private PingUnderLoad() {
    }

    /**
     * What a run measured.
     *
     * @param rows    one per mode and round, in the order run
     * @param goalMet whether, in every round, mode {@code bridge}'s ping p99 was under
     *                {@value #GOAL_P99_MS} ms and at least {@value #GOAL_FACTOR} times below the common
     *                pool's, with no ping lost; false if either mode did not run
     */
    public record Result(List<PingRow> rows, boolean goalMet) {
    }

    /** Runs the sample with the options {@code --help} lists; a bad option exits with code 2. */
    public static void main(String[] args) throws Exception {
        PingOptions options = SampleArgs.optionsOrExit("ping-under-load", args, PingOptions::parse);
        if (options != null) {
            run(options);
        }
    }

    /** Runs every mode {@code options.rounds()} times, prints the table and the goal, writes the CSV if asked. */
    public static Result run(PingOptions options) throws Exception {
        Objects.requireNonNull(options, "options");
        PingServer.Config config = new PingServer.Config(options.port(),
                CpuWork.iterationsFor(options.queryWork()), CpuWork.iterationsFor(options.chunkWork()),
                options.background(), options.cpuThreads(), options.cpuQueue(), options.poolThreads());
        int cpus = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "ping-under-load: %d processors, JDK %s; %d query clients x %d us of CPU work,"
                        + " %d background loops x %d us chunks; pings at %d/s open loop, %.1f s measured per mode and round"
                        + " (after %.1f s of warm-up)%n",
                cpus, Runtime.version(), options.queryClients(), options.queryWork().toNanos() / 1000,
                options.background(), options.chunkWork().toNanos() / 1000, options.pingRate(),
                options.measure().toNanos() / 1e9, options.warmup().toNanos() / 1e9);
        System.out.printf(Locale.ROOT, "  bridge CPU pool: %d thread(s) in 'bridge', %d in 'bridge-all-cores', queue %d;"
                + " common pool: %d threads%n", options.cpuThreads(), cpus, options.cpuQueue(), options.poolThreads());
        for (PingMode mode : options.modes()) {
            warmUpJit(mode, config, options);
        }
        if (!JitSettle.await(JitSettle.maxWaitAfter(options.warmup()))) {
            System.out.println("  (the JIT was still compiling after the warm-up: the first round may show it)");
        }
        List<PingRow> rows = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            for (PingMode mode : options.modes()) {
                rows.add(runOnce(round, mode, config, options, options.measure()));
            }
        }
        PingTable.print(rows, System.out);
        boolean met = PingTable.printGoal(rows, options.rounds(), System.out);
        if (options.csv() != null) {
            RecordCsv.write(options.csv(), PingRow.class, rows);
            System.out.println("rows written to " + options.csv());
        }
        return new Result(List.copyOf(rows), met);
    }

    /**
     * The JIT's warm-up of {@code mode}'s code, not measured: {@link HttpLoad#jitWarmupRequests} pings
     * as fast as they are answered, then one run with the queries.
     */
    private static void warmUpJit(PingMode mode, PingServer.Config config, PingOptions o) throws Exception {
        try (PingServer server = new PingServer(mode, config);
             HttpLoad client = new HttpLoad("ping-client", 1)) {
            URI ping = server.uri("/ping");
            if (!client.warmUp(() -> ping, HttpLoad.jitWarmupRequests(o.warmup()), 8, WARMUP_LIMIT)) {
                System.out.println("  (" + mode.label() + ": the warm-up's pings were not all answered within "
                        + WARMUP_LIMIT.toSeconds() + " s)");
            }
        }
        runOnce(0, mode, config, o, o.warmup());
    }

    /** One mode, one round: a fresh server and load generator, warm-up, {@code measure} of pings, all closed. */
    private static PingRow runOnce(int round, PingMode mode, PingServer.Config config, PingOptions o, Duration measure)
            throws Exception {
        try (PingServer server = new PingServer(mode, config);
             HttpLoad pingClient = new HttpLoad("ping-client", 1);
             HttpLoad queryClient = new HttpLoad("query-client", 2)) {
            QueryClients queries = QueryClients.start(queryClient, server.uri("/query"), o.queryClients());
            URI ping = server.uri("/ping");
            try {
                pingClient.openLoop("warm-up", () -> ping, o.pingRate(), o.warmup(), MAX_PINGS_IN_FLIGHT);
                queries.resetLatency();
                long queriesBefore = queries.ok();
                long rejectedBefore = queries.rejected();
                long failedBefore = queries.failed();
                long chunksBefore = server.backgroundChunks();
                long cpuBefore = Cpu.processNanos();
                long loadBefore = LoadThreads.cpuNanos();
                long start = System.nanoTime();
                HttpLoad.Paced pings = pingClient.openLoop("ping " + mode.label(), () -> ping, o.pingRate(),
                        measure, MAX_PINGS_IN_FLIGHT);
                long wall = System.nanoTime() - start;
                long load = LoadThreads.cpuNanos() - loadBefore;
                long cpu = Cpu.processNanos() - cpuBefore;
                double seconds = wall / 1e9;
                var r = pings.result();
                Histogram q = queries.latency();
                return new PingRow(round, mode.label(), percent(Cpu.share(0, cpu, wall)),
                        percent(Cpu.share(0, load, wall)), r.millis(50), r.millis(99), r.maxMillis(),
                        pings.fromSendMillis(99), r.sent(), r.ok(),
                        r.failed() + r.refused() + r.unfinished(), pings.senderLateMillis(99), pings.senderLateMillis(100),
                        round1((queries.ok() - queriesBefore) / seconds), queries.rejected() - rejectedBefore,
                        queries.failed() - failedBefore, millis(q, 50), millis(q, 99),
                        round1((server.backgroundChunks() - chunksBefore) * (o.chunkWork().toNanos() / 1e6) / seconds));
            } finally {
                server.stopBackground();                   // first: on virtual threads it may starve the queries
                if (!queries.stop(30)) {
                    System.err.println("ping-under-load: " + mode.label() + ": some query clients did not end within 30 s");
                }
            }
        }
    }

    private static double percent(double share) {
        return round1(share * 100);
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static double millis(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }
}
