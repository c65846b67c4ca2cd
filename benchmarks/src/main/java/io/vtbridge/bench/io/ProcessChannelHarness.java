package io.vtbridge.bench.io;

import io.vtbridge.Bridge;
import io.vtbridge.adapters.io.ProcessChannel;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link ProcessChannel} pipelined against one request at a time, on the same kind of child, in one
 * JVM: {@code concurrency} bridged callers each call the child in a loop for {@code --seconds}.
 * <ul>
 *   <li>{@code pipelined}: each caller calls {@link ProcessChannel#call} directly; the writer sends
 *       every waiting request, the child answers them in order, the reader matches them back;</li>
 *   <li>{@code serial}: each caller holds a lock for its whole round trip (lock, call, unlock), so one
 *       request is at the child at a time: the way a child behind a mutex is usually shared. The
 *       lock is fair (callers take turns in arrival order); with a non-fair lock the caller that just
 *       unlocked takes it again before the parked ones wake, and a few callers starve for a whole
 *       round, which makes the median look good and the maximum the round's length.</li>
 * </ul>
 * Both modes use the same channel code and the same child program ({@link EchoChild}, which echoes
 * each frame after {@code --work-us} of busy computation); each mode has its own channel and child,
 * both started before the first round. Concurrency levels run in order; within a level the modes
 * alternate round by round (warm-up rounds included), so both see the same machine state.
 *
 * <pre>
 * java --add-opens java.base/java.lang=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     io.vtbridge.bench.io.ProcessChannelHarness [--concurrency 1,4,16,64] [--seconds 2] [--rounds 3]
 *     [--warmup 1] [--payload 64] [--work-us 0] [--shards 2] [--csv target/process.csv]
 * </pre>
 *
 * <p><b>Threading:</b> the main thread drives the rounds; each caller writes only its own histogram,
 * read by the main thread after the caller's future completed.
 */
public final class ProcessChannelHarness {

    private ProcessChannelHarness() {
    }

    /** The options, parsed from the command line. */
    private static final class Options {
        int[] concurrency = {1, 4, 16, 64};
        double seconds = 2;
        int rounds = 3;
        int warmup = 1;
        int payload = 64;
        int workMicros = 0;
        int shards = 2;
        Path csv;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--concurrency" -> o.concurrency = Arrays.stream(need(args[i], value).split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--seconds" -> o.seconds = Double.parseDouble(need(args[i], value));
                    case "--rounds" -> o.rounds = Integer.parseInt(need(args[i], value));
                    case "--warmup" -> o.warmup = Integer.parseInt(need(args[i], value));
                    case "--payload" -> o.payload = Integer.parseInt(need(args[i], value));
                    case "--work-us" -> o.workMicros = Integer.parseInt(need(args[i], value));
                    case "--shards" -> o.shards = Integer.parseInt(need(args[i], value));
                    case "--csv" -> o.csv = Path.of(need(args[i], value));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (known: --concurrency --seconds --rounds --warmup --payload --work-us --shards --csv)");
                }
                i++;
            }
            return o;
        }

        private static String need(String option, String value) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        System.out.printf(Locale.ROOT, "ProcessChannelHarness: concurrency %s, %.1f s per round, %d rounds (+%d warm-up), "
                        + "payload %d B, child work %d us, %d shards, JDK %s, %d CPUs%n", Arrays.toString(o.concurrency), o.seconds,
                o.rounds, o.warmup, o.payload, o.workMicros, o.shards, Runtime.version(), Runtime.getRuntime().availableProcessors());
        List<ProcessRoundResult> measured = new ArrayList<>();
        try (Bridge bridge = Bridge.builder().shards(o.shards).name("bench").build();
             ProcessChannel pipelined = channel("pipelined", o);
             ProcessChannel serial = channel("serial", o)) {
            ReentrantLock oneAtATime = new ReentrantLock(true); // fair: a non-fair lock lets one caller barge in again and again
            byte[] payload = new byte[o.payload];
            pipelined.call(payload); // both children started before the first round
            serial.call(payload);
            System.out.println(ProcessRoundResult.HEADER);
            for (int concurrency : o.concurrency) {
                for (int round = 0; round < o.warmup + o.rounds; round++) {
                    for (String mode : List.of("pipelined", "serial")) {
                        ProcessChannel channel = mode.equals("pipelined") ? pipelined : serial;
                        ReentrantLock lock = mode.equals("pipelined") ? null : oneAtATime;
                        ProcessRoundResult r = runRound(bridge, channel, lock, mode, concurrency, round - o.warmup + 1, payload, o.seconds);
                        System.out.println(r.row(round < o.warmup ? "warm-up" : "round " + (round - o.warmup + 1)));
                        if (round >= o.warmup) {
                            measured.add(r);
                        }
                    }
                }
            }
            System.out.printf(Locale.ROOT, "restarts: pipelined %d, serial %d; discarded responses: %d, %d%n", pipelined.restarts(),
                    serial.restarts(), pipelined.discardedResponses(), serial.discardedResponses());
        }
        if (o.csv != null) {
            writeCsv(o.csv, measured);
            System.out.println("CSV: " + o.csv);
        }
    }

    private static ProcessChannel channel(String name, Options o) {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                EchoChild.class.getName(), Integer.toString(o.workMicros));
        return ProcessChannel.builder(command).name(name).maxInFlight(1024).build();
    }

    private static ProcessRoundResult runRound(Bridge bridge, ProcessChannel channel, ReentrantLock lock, String mode,
                                               int concurrency, int round, byte[] payload, double seconds) throws Exception {
        CompletableFuture<Long> go = new CompletableFuture<>();
        List<CompletableFuture<Histogram>> callers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            callers.add(bridge.submit(() -> {
                Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                long deadline = Bridge.await(go);
                for (long t0 = System.nanoTime(); t0 < deadline; ) {
                    if (lock != null) {
                        lock.lock();
                    }
                    try {
                        channel.call(payload);
                    } finally {
                        if (lock != null) {
                            lock.unlock();
                        }
                    }
                    long t1 = System.nanoTime();
                    h.recordValue(t1 - t0);
                    t0 = t1;
                }
                return h;
            }));
        }
        long start = System.nanoTime();
        go.complete(start + (long) (seconds * 1e9));
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (CompletableFuture<Histogram> caller : callers) {
            all.add(caller.get((long) (seconds * 10) + 60, TimeUnit.SECONDS));
        }
        long nanos = System.nanoTime() - start;
        return new ProcessRoundResult(mode, concurrency, round, all.getTotalCount(), nanos, all);
    }

    private static void writeCsv(Path csv, List<ProcessRoundResult> rows) throws IOException {
        if (csv.getParent() != null) {
            Files.createDirectories(csv.getParent());
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
            w.println(ProcessRoundResult.CSV_HEADER);
            for (ProcessRoundResult r : rows) {
                w.println(r.csv());
            }
        }
    }
}
