package io.vtbridge.bench.jdbc;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput and latency of the same JDBC calls (a point SELECT and a point UPDATE, alternating)
 * over the same HikariCP pool of an in-memory H2 database, made three ways: {@code AsyncJdbc} on a
 * bridge ({@code asyncjdbc}), the plain JDBC code on {@code newVirtualThreadPerTaskExecutor()}
 * ({@code virtual}) and on {@code newFixedThreadPool(10)} ({@code fixed}), at 1, 16 and 256
 * concurrent callers.
 *
 * <p><b>Closed loop.</b> A caller is a chain of callbacks, not a thread: it issues one call, and when
 * that call's future completes it records the latency (issue to completion) and issues the next,
 * until the run ends. So exactly {@code callers} calls are in flight at any time: the figures are
 * those of {@code callers} users waiting for their answers, not of an open arrival rate (which would
 * also count the time a call waited to be issued behind a slow one: coordinated omission). A run is {@code --warmup-s} unmeasured, then
 * {@code --measure-s} measured: the calls that complete in the window count for the throughput and
 * the latency histogram. Runs are interleaved: round by round, caller count by caller count, mode by
 * mode, each mode with a fresh bridge or executor, all in one JVM, on one pool and one database.
 *
 * <pre>
 * java --add-opens java.base/java.lang=ALL-UNNAMED -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar \
 *     io.vtbridge.bench.jdbc.JdbcHarness [--callers 1,16,256] [--modes asyncjdbc,virtual,fixed] [--rounds 3]
 *     [--warmup-s 2] [--measure-s 5] [--connections 10] [--fixed-threads 10] [--shards 2] [--keys 10000]
 *     [--latency-us 0] [--csv target/jdbc.csv]
 * </pre>
 *
 * <p><b>Threading:</b> the main thread drives the runs; the callers' callbacks run on the threads
 * that complete their calls and write only thread-safe fields (a {@link Recorder}, atomics).
 */
public final class JdbcHarness {

    private JdbcHarness() {
    }

    /** Runs the harness: see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        System.out.printf(Locale.ROOT, "JdbcHarness: H2 in memory, HikariCP %d connections, statement delay %d us, callers %s, "
                        + "modes %s, %d rounds × (%d s warm-up + %d s measured), bridge %d shards, fixed pool %d threads, JDK %s, %d CPUs%n",
                o.connections, o.latencyMicros, o.callers, o.modes.stream().map(m -> m.name).toList(), o.rounds, o.warmupSeconds,
                o.measureSeconds, o.shards, o.fixedThreads, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println(JdbcRunResult.HEADER);
        List<JdbcRunResult> results = new ArrayList<>();
        try (JdbcWorkload workload = new JdbcWorkload(o.connections, o.keys, o.latencyMicros)) {
            for (int round = 1; round <= o.rounds; round++) {
                for (int callers : o.callers) {
                    for (JdbcMode mode : o.modes) {
                        JdbcRunResult r = run(mode, callers, round, o, workload);
                        System.out.println(r.row("round " + round));
                        results.add(r);
                    }
                }
            }
        }
        System.out.println();
        System.out.println("median of the rounds:");
        System.out.println(JdbcRunResult.HEADER);
        for (int callers : o.callers) {
            for (JdbcMode mode : o.modes) {
                List<JdbcRunResult> runs = results.stream().filter(r -> r.mode().equals(mode.name) && r.callers() == callers)
                        .sorted(Comparator.comparingDouble(JdbcRunResult::opsPerSecond)).toList();
                System.out.println(runs.get(runs.size() / 2).row("median"));
            }
        }
        if (o.csv != null) {
            writeCsv(o.csv, results);
            System.out.println("CSV: " + o.csv);
        }
        long errors = results.stream().mapToLong(JdbcRunResult::errors).sum();
        if (errors > 0) {
            System.out.println("WARNING: " + errors + " calls failed");
        }
    }

    static JdbcRunResult run(JdbcMode mode, int callers, int round, Options o, JdbcWorkload workload) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (JdbcMode.Runner runner = mode.start(o, workload)) {
            Recorder recorder = new Recorder(3);
            AtomicLong errors = new AtomicLong();
            CountDownLatch stopped = new CountDownLatch(callers);
            Loop loop = new Loop(runner, recorder, errors, stopped);
            threads.resetPeakThreadCount();
            for (int c = 0; c < callers; c++) {
                loop.next(c, 0);
            }
            TimeUnit.SECONDS.sleep(o.warmupSeconds);            // the harness's own clock: nothing to synchronise with
            recorder.getIntervalHistogram();                     // drop the warm-up
            long cpuStart = processCpuNanos();
            long start = System.nanoTime();
            TimeUnit.SECONDS.sleep(o.measureSeconds);
            Histogram window = recorder.getIntervalHistogram();
            long nanos = System.nanoTime() - start;
            double cpu = (processCpuNanos() - cpuStart) / (double) nanos / Runtime.getRuntime().availableProcessors();
            loop.stop = true;
            if (!stopped.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException(mode.name + ": callers did not stop");
            }
            return new JdbcRunResult(mode.name, callers, round, window.getTotalCount(), nanos / 1e9, window, errors.get(), cpu,
                    threads.getPeakThreadCount());
        }
    }

    /** The closed loop: each caller issues its next call when the previous one completes. */
    private static final class Loop {
        private final JdbcMode.Runner runner;
        private final Recorder recorder;
        private final AtomicLong errors;
        private final CountDownLatch stopped;
        volatile boolean stop; // set by the main thread, read by the callbacks

        Loop(JdbcMode.Runner runner, Recorder recorder, AtomicLong errors, CountDownLatch stopped) {
            this.runner = runner;
            this.recorder = recorder;
            this.errors = errors;
            this.stopped = stopped;
        }

        void next(int caller, long op) {
            if (stop) {
                stopped.countDown();
                return;
            }
            long issued = System.nanoTime();
            runner.call(caller, op).whenComplete((value, failure) -> {
                recorder.recordValue(System.nanoTime() - issued);
                if (failure != null && errors.incrementAndGet() == 1) {
                    failure.printStackTrace(System.out);
                }
                next(caller, op + 1);
            });
        }
    }

    /** CPU time of this process so far (all its threads), or 0 where the JVM cannot tell. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static void writeCsv(Path csv, List<JdbcRunResult> results) throws IOException {
        if (csv.getParent() != null) {
            Files.createDirectories(csv.getParent());
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
            w.println(JdbcRunResult.CSV_HEADER);
            for (JdbcRunResult r : results) {
                w.println(r.csv());
            }
        }
    }

    /** Command-line options. */
    static final class Options {
        List<Integer> callers = List.of(1, 16, 256);
        List<JdbcMode> modes = List.of(JdbcMode.ASYNC_JDBC, JdbcMode.VIRTUAL, JdbcMode.FIXED);
        int rounds = 3;
        int warmupSeconds = 2;
        int measureSeconds = 5;
        int connections = 10;
        int fixedThreads = 10;
        int shards = 2;
        int keys = 10_000;
        int latencyMicros;
        Path csv;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--callers" -> o.callers = Arrays.stream(value.split(",")).map(v -> positive(option, v)).toList();
                    case "--modes" -> o.modes = Arrays.stream(value.split(",")).map(JdbcMode::named).toList();
                    case "--rounds" -> o.rounds = positive(option, value);
                    case "--warmup-s" -> o.warmupSeconds = positive(option, value);
                    case "--measure-s" -> o.measureSeconds = positive(option, value);
                    case "--connections" -> o.connections = positive(option, value);
                    case "--fixed-threads" -> o.fixedThreads = positive(option, value);
                    case "--shards" -> o.shards = positive(option, value);
                    case "--keys" -> o.keys = positive(option, value);
                    case "--latency-us" -> o.latencyMicros = notNegative(option, value);
                    case "--csv" -> o.csv = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            return o;
        }

        private static int notNegative(String option, String value) {
            int v = Integer.parseInt(value);
            if (v < 0) {
                throw new IllegalArgumentException(option + " must not be negative, was " + v);
            }
            return v;
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
