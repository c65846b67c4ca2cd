package io.vtbridge.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency of a trivial task (a "ping") while the executor is saturated by blocking legacy calls, and
 * the throughput of those calls: the InfluxDB IOx rule ("/ping answers while the server is 100 %
 * busy") measured for the bridge against default virtual threads and a fixed thread pool, round by
 * round, interleaved, in one JVM.
 *
 * <p>A round: {@code callers} tasks, each {@code ops} × one unit of the workload, all submitted at
 * once; meanwhile one platform thread submits a ping every {@code --ping-us} on a fixed schedule
 * (open loop: a ping's latency is counted from the moment it was due, not from when it was sent, so a
 * stalled sender cannot hide a stall) and records when the ping task started. For the bridge two pings
 * go out per tick: one through {@code submit} (behind the inbound backlog) and one through the latency
 * lane ({@code submit(Priority.HIGH, …)}); {@code bridge-defaults} is the bridge built with its
 * defaults (no delay histograms, no listener) and sends only the first, as the JDK modes do, so its
 * throughput is measured doing the same work as theirs. The round reports the callers' throughput, the pings'
 * p50/p99/p99.9/max, garbage collections, and for the bridge the stall watchdog's reports.
 *
 * <p>Workloads ({@link LoadWorkload}): {@code h2}, an in-memory H2 database over JDBC, used
 * unchanged, behind a pool of {@code --connections} connections in an {@code ArrayBlockingQueue}
 * (a unit: {@code MERGE} and {@code SELECT} of one key); {@code cpu}, {@code --cpu-us} of computation
 * then {@code Thread.yield()} (a unit that holds its carrier for that long).
 *
 * <pre>
 * java --add-opens java.base/java.lang=ALL-UNNAMED -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar \
 *     io.vtbridge.bench.LoadLatencyHarness [--workload h2|cpu] [--callers 2000] [--ops 300]
 *     [--connections 10] [--cpu-us 1000] [--shards 2] [--rounds 3] [--warmup 1] [--ping-us 1000]
 *     [--modes bridge,bridge-defaults,bridge-moving,virtual,fixed] [--fixed-threads 64] [--slice-us 500]
 *     [--lane-rescue-us 150] [--idle-spins 64] [--csv target/load-latency.csv]
 * </pre>
 *
 * <p><b>Threading:</b> the main thread drives the rounds; each ping task writes only its own slot of
 * the start-time array, read by the main thread after the round's futures completed.
 */
public final class LoadLatencyHarness {

    private LoadLatencyHarness() {
    }

    public static void main(String[] args) throws Exception {
        LoadOptions o = LoadOptions.parse(args);
        LoadWorkload workload = LoadWorkload.of(o);
        System.out.printf(Locale.ROOT, "LoadLatencyHarness: %s, %,d callers × %,d ops, %d shards, ping every %d µs, JDK %s, %d CPUs%n",
                o.workload, o.callers, o.ops, o.shards, o.pingMicros, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println(LoadRoundResult.HEADER);
        List<LoadRoundResult> measured = new ArrayList<>();
        for (int round = 0; round < o.warmup + o.rounds; round++) {
            for (LoadMode mode : o.modes) {
                LoadRoundResult r = runRound(mode, round, o, workload);
                System.out.println(r.row(round < o.warmup ? "warm-up" : "round " + (round - o.warmup + 1)));
                if (round >= o.warmup) {
                    measured.add(r);
                }
            }
        }
        workload.close();
        if (o.csv != null) {
            writeCsv(o.csv, measured);
            System.out.println("CSV: " + o.csv);
        }
    }

    static LoadRoundResult runRound(LoadMode mode, int round, LoadOptions o, LoadWorkload workload) throws Exception {
        long gcBefore = gcCount();
        long cpuBefore = processCpuNanos();
        try (LoadMode.Runner runner = mode.start(o)) {
            int maxPings = (int) Math.min(1_000_000, 120_000_000L / o.pingMicros + 1); // at most 2 minutes of pings
            long[] due = new long[maxPings];
            long[] started = new long[maxPings];
            long[] sent = new long[maxPings];
            long[] startedUrgent = new long[maxPings];
            List<Future<?>> pings = new ArrayList<>();
            List<Future<?>> urgentPings = new ArrayList<>();
            Thread pinger = Thread.ofPlatform().name("ping").start(() -> {
                long interval = TimeUnit.MICROSECONDS.toNanos(o.pingMicros);
                long first = System.nanoTime() + interval;
                for (int i = 0; i < maxPings && !Thread.currentThread().isInterrupted(); i++) {
                    long at = first + i * interval;
                    long wait;
                    while ((wait = at - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    due[i] = at;
                    sent[i] = System.nanoTime();
                    int slot = i;
                    pings.add(runner.ping(() -> started[slot] = System.nanoTime()));
                    if (runner.hasLatencyLane()) {
                        urgentPings.add(runner.urgentPing(() -> startedUrgent[slot] = System.nanoTime()));
                    }
                }
            });
            long start = System.nanoTime();
            List<Future<?>> calls = new ArrayList<>(o.callers);
            for (int c = 0; c < o.callers; c++) {
                int caller = c;
                calls.add(runner.submit(() -> workload.call(caller, o.ops)));
            }
            for (Future<?> f : calls) {
                f.get(10, TimeUnit.MINUTES);
            }
            long nanos = System.nanoTime() - start;
            pinger.interrupt();
            pinger.join();
            int count = pings.size();
            for (Future<?> f : pings) {
                f.get(1, TimeUnit.MINUTES);
            }
            for (Future<?> f : urgentPings) {
                f.get(1, TimeUnit.MINUTES);
            }
            Histogram plain = latencies(due, started, count);
            Histogram sender = latencies(due, sent, count);
            Histogram plainFromSend = latencies(sent, started, count);
            Histogram urgentFromSend = runner.hasLatencyLane() ? latencies(sent, startedUrgent, urgentPings.size()) : null;
            Histogram urgent = runner.hasLatencyLane() ? latencies(due, startedUrgent, urgentPings.size()) : null;
            long units = (long) o.callers * o.ops;
            if (o.verbose) {
                System.out.print(runner.diagnostics());
            }
            double cpu = (processCpuNanos() - cpuBefore) / (double) nanos / Runtime.getRuntime().availableProcessors();
            return new LoadRoundResult(mode.name, round, units * 1e9 / nanos, nanos, cpu, plain, urgent, sender,
                    plainFromSend, urgentFromSend, gcCount() - gcBefore, runner.reports());
        }
    }

    private static Histogram latencies(long[] due, long[] started, int n) {
        Histogram h = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
        for (int i = 0; i < n; i++) {
            h.recordValue(Math.max(0, started[i] - due[i]));
        }
        return h;
    }

    /** CPU time of this process so far (all its threads), or 0 where the JVM cannot tell. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static void writeCsv(Path csv, List<LoadRoundResult> results) throws IOException {
        if (csv.getParent() != null) {
            Files.createDirectories(csv.getParent());
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
            w.println(LoadRoundResult.CSV_HEADER);
            for (LoadRoundResult r : results) {
                w.println(r.csv());
            }
        }
    }

    /** The work each caller does: {@code h2} or {@code cpu}. */
    interface LoadWorkload extends AutoCloseable {

        /** {@code ops} units of work for {@code caller}; returns a checksum so nothing is optimised away. */
        long call(int caller, int ops) throws Exception;

        @Override
        void close() throws SQLException;

        static LoadWorkload of(LoadOptions o) throws SQLException {
            return switch (o.workload) {
                case "h2" -> new H2(o.connections);
                case "cpu" -> new Cpu(TimeUnit.MICROSECONDS.toNanos(o.cpuMicros));
                default -> throw new IllegalArgumentException("--workload must be h2 or cpu, was " + o.workload);
            };
        }

        /** H2 in memory, over JDBC, unchanged, behind a fixed pool of connections. */
        final class H2 implements LoadWorkload {
            private static final int KEYS = 10_000;
            private final BlockingQueue<Connection> pool;

            H2(int connections) throws SQLException {
                pool = new ArrayBlockingQueue<>(connections);
                for (int i = 0; i < connections; i++) {
                    pool.add(DriverManager.getConnection("jdbc:h2:mem:load-latency;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=60000"));
                }
                try (Statement s = pool.peek().createStatement()) {
                    s.execute("create table if not exists kv(k int primary key, v int)");
                }
            }

            @Override
            public long call(int caller, int ops) throws Exception {
                long sum = 0;
                for (int i = 0; i < ops; i++) {
                    int key = (caller * 7_919 + i * 31) % KEYS;
                    Connection c = pool.take();
                    try (PreparedStatement merge = c.prepareStatement("merge into kv key(k) values(?, ?)");
                         PreparedStatement select = c.prepareStatement("select v from kv where k = ?")) {
                        merge.setInt(1, key);
                        merge.setInt(2, i);
                        merge.executeUpdate();
                        select.setInt(1, key);
                        try (ResultSet r = select.executeQuery()) {
                            if (r.next()) {
                                sum += r.getInt(1);
                            }
                        }
                    } finally {
                        pool.put(c);
                    }
                }
                return sum;
            }

            @Override
            public void close() throws SQLException {
                for (Connection c : pool) {
                    c.close();
                }
            }
        }

        /** Computation that holds the carrier for a while, then a yield: legacy CPU work. */
        final class Cpu implements LoadWorkload {
            private final long nanos;

            Cpu(long nanos) {
                this.nanos = nanos;
            }

            @Override
            public long call(int caller, int ops) {
                long x = caller;
                for (int i = 0; i < ops; i++) {
                    long end = System.nanoTime() + nanos;
                    do {
                        for (int j = 0; j < 64; j++) {
                            x = x * 6_364_136_223_846_793_005L + 1_442_695_040_888_963_407L;
                        }
                    } while (System.nanoTime() < end);
                    Thread.yield();
                }
                return x;
            }

            @Override
            public void close() {
            }
        }
    }

    /** Command-line options. */
    static final class LoadOptions {
        String workload = "h2";
        int callers = 2_000;
        int ops = 300;
        int connections = 10;
        int cpuMicros = 1_000;
        int shards = 2;
        int rounds = 3;
        int warmup = 1;
        int pingMicros = 1_000;
        int fixedThreads = 64;
        int sliceMicros;         // the bridge's turn slice; 0: its default
        int laneRescueMicros;    // the bridge's latency-lane rescue wait; 0: its default
        int idleSpins = -1;      // the bridge's idle spins before a loop parks; -1: its default
        List<LoadMode> modes = List.of(LoadMode.BRIDGE, LoadMode.VIRTUAL, LoadMode.FIXED);
        Path csv;
        boolean verbose;

        static LoadOptions parse(String[] args) {
            LoadOptions o = new LoadOptions();
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--verbose")) {
                    o.verbose = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--workload" -> o.workload = value;
                    case "--callers" -> o.callers = positive(option, value);
                    case "--ops" -> o.ops = positive(option, value);
                    case "--connections" -> o.connections = positive(option, value);
                    case "--cpu-us" -> o.cpuMicros = positive(option, value);
                    case "--shards" -> o.shards = positive(option, value);
                    case "--rounds" -> o.rounds = positive(option, value);
                    case "--warmup" -> o.warmup = Integer.parseInt(value);
                    case "--ping-us" -> o.pingMicros = positive(option, value);
                    case "--fixed-threads" -> o.fixedThreads = positive(option, value);
                    case "--slice-us" -> o.sliceMicros = positive(option, value);
                    case "--lane-rescue-us" -> o.laneRescueMicros = positive(option, value);
                    case "--idle-spins" -> o.idleSpins = Integer.parseInt(value);
                    case "--modes" -> o.modes = Arrays.stream(value.split(",")).map(LoadMode::named).toList();
                    case "--csv" -> o.csv = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if (o.warmup < 0) {
                throw new IllegalArgumentException("--warmup must not be negative, was " + o.warmup);
            }
            return o;
        }

        private static int positive(String option, String value) {
            int v = Integer.parseInt(value);
            if (v <= 0) {
                throw new IllegalArgumentException(option + " must be positive, was " + v);
            }
            return v;
        }
    }
}
