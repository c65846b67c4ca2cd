package io.vtbridge.samples.storage;

import io.vtbridge.samples.load.Csv;
import io.vtbridge.samples.load.RunDeadline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * {@code ./vtb sample storage}: the "tame reactor" situation of Seastar and RocksDB users. A legacy
 * storage engine that blocks in its own locks and its file I/O — here H2's MVStore in file mode,
 * unchanged — is driven by asynchronous callers. Six ways to run the same calls, in one run:
 * the bridge with {@code BlockingPolicy.REPORT} (the default) and {@code HAND_OFF}, with the nio
 * provider installed (in a child JVM: it must be the JVM's default provider), in {@code Mode.SYNC};
 * JDK virtual threads; a fixed platform pool. Each mode gets a copy of the same seed store (a data
 * set several times MVStore's cache, so reads miss it and read the file), a warm-up, a measured
 * window, and then the store is closed, reopened and checked key by key.
 *
 * <p>Measured: throughput (operations per second in the window), the longest loop stall (the longest
 * loop iteration and the watchdog's stall reports, {@code ShardStats} and {@code BridgeListener.onStall}),
 * and the latency of a ping sent at a fixed rate (open loop, from the due time) to the same executor.
 * The goal: under {@code HAND_OFF} or with the provider, no loop held past the stall threshold, and
 * throughput at least that of JDK virtual threads.
 *
 * <p><b>Threading:</b> {@link #main} and {@link #run} on one thread, which sends the pings; the
 * operations run on the mode's threads.
 */
public final class StorageSample {

    /** The watchdog's logger (kept: {@code java.util.logging} holds loggers weakly). */
    private static final Logger WATCHDOG_LOG = Logger.getLogger("io.vtbridge.StallWatchdog");

    private StorageSample() {
    }

    /**
     * What a run measured and whether the goal was met.
     *
     * @param rows  one per mode and round, in the order they ran
     * @param goals one line per goal mode ({@code hand-off}, {@code provider}) that ran
     */
    public record Result(List<Row> rows, List<Goals.Verdict> goals) {

        /** Whether every goal mode met both goals (false if none ran). */
        public boolean goalMet() {
            return !goals.isEmpty() && goals.stream().allMatch(Goals.Verdict::met);
        }
    }

    /**
     * Runs the sample; {@code --help} lists the options. Exit code 2 for a bad option, 1 for a failed
     * run (its exception printed) or one that did not end within {@link #bound} ({@link RunDeadline}),
     * 0 otherwise. The JVM exits when the run is over, so that no thread a failed engine call left
     * behind keeps it alive; the deadline stays armed until then.
     */
    public static void main(String[] args) {
        StorageOptions options;
        try {
            options = StorageOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("storage: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(StorageOptions.HELP);
            return;
        }
        RunDeadline.start("storage", bound(options));
        int status = 0;
        try {
            run(options);
        } catch (Throwable failure) {
            failure.printStackTrace();
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    /**
     * The modes of round {@code r} (0 for the first) in the order they run: as asked in even rounds,
     * reversed in odd ones, so that over two rounds no mode always runs right after the same one.
     */
    static List<StorageMode> order(List<StorageMode> modes, int r) {
        return r % 2 == 0 ? modes : modes.reversed();
    }

    /**
     * Runs the callers on the engine for a warm-up's length on a fixed pool before any mode: the JIT
     * compiles MVStore's paths and the callers' once for every mode, where the first mode measured
     * would otherwise run them colder than the others. Each mode still has its own warm-up, for its
     * own threads' code.
     */
    static void warmEngine(StorageOptions o, Path seed, Path work) throws IOException, InterruptedException {
        Path file = work.resolve("warm-engine.mv");
        Files.copy(seed, file, StandardCopyOption.REPLACE_EXISTING);
        Engine engine = Engine.open(file, o.keys(), o.valueBytes(), o.cacheMb());
        try {
            warmUp(StorageMode.PLATFORM, engine, o, new AtomicLong(System.nanoTime() + o.checkpoint().toNanos()));
        } finally {
            engine.close();
        }
        Files.delete(file);
    }

    /** One unmeasured phase of a warm-up's length on a target of {@code mode} of its own, closed after. */
    private static void warmUp(StorageMode mode, Engine engine, StorageOptions o, AtomicLong nextCheckpoint)
            throws InterruptedException {
        Target warm = Target.open(mode, o);
        try {
            failOnError(mode, new Workload(engine, warm, o, nextCheckpoint).run(o.warmup(), false));
        } finally {
            warm.close();
        }
    }

    /**
     * More than all the bounded waits of one mode beyond its phases' lengths: each of its two phases
     * (warm-up and measured) waits up to 60 s for its callers, 10 s for the caller thread and 30 s for
     * its executor's close; the blocking pool's threads get 30 s to start; the provider's child JVM is
     * waited for up to twice its warm-up, its window and 120 s, and killed within 10 s more.
     */
    static final Duration MODE_SLACK = Duration.ofMinutes(4);

    /**
     * The longest a run of {@code options} may take before the command line gives up on it
     * ({@link RunDeadline}): every mode of every round, each twice its warm-up (the engine's
     * warm-up, {@link #warmEngine}, runs in the provider's child JVM too), its measured window and
     * {@link #MODE_SLACK}; the engine's warm-up before the first mode with the same slack; and a
     * minute for the seed store and the rest. A run that takes this long is stuck, not slow.
     */
    static Duration bound(StorageOptions options) {
        Duration warmup = options.warmup().compareTo(StorageOptions.CHILD_MIN_WARMUP) >= 0
                ? options.warmup() : StorageOptions.CHILD_MIN_WARMUP;
        Duration perMode = warmup.multipliedBy(2).plus(options.duration()).plus(MODE_SLACK);
        Duration engineWarmup = warmup.plus(MODE_SLACK);
        return perMode.multipliedBy((long) options.rounds() * options.modes().size()).plus(engineWarmup).plusMinutes(1);
    }

    /**
     * Runs every mode of {@code options} ({@link StorageMode#PROVIDER} in a child JVM unless this JVM
     * has the provider installed), prints the table and the goal, writes the CSV if asked, and returns
     * the rows. Everything it starts (bridges, executors, MVStore's threads, the child JVM) has ended
     * when it returns, and its temporary files are deleted.
     *
     * @throws IllegalArgumentException if this JVM has the provider installed and other modes are asked for
     * @throws IllegalStateException    if a mode fails (an operation failed, the reopened store does
     *                                  not hold the written data, the child JVM failed)
     */
    public static Result run(StorageOptions options) throws IOException, InterruptedException {
        boolean installed = ProviderChild.installedHere();
        if (installed && !options.modes().equals(List.of(StorageMode.PROVIDER))) {
            throw new IllegalArgumentException("--modes " + options.modes() + ": this JVM has the nio provider as its"
                    + " default file system provider, which would change every bridged mode; run only --modes provider here");
        }
        boolean child = installed && options.seed() != null;
        Level logLevel = WATCHDOG_LOG.getLevel();
        if (!options.logStalls()) {
            WATCHDOG_LOG.setLevel(Level.OFF); // counted by the listener; the table says how many
        }
        Path work = Files.createTempDirectory("vtbridge-storage-");
        try {
            if (!child) {
                printIntro(options);
            }
            Path seed = options.seed();
            if (seed == null) {
                long t0 = System.nanoTime();
                seed = work.resolve("seed.mv");
                Engine.seed(seed, options.keys(), options.valueBytes());
                System.out.printf(Locale.ROOT, "  seed store: %,d keys x %,d bytes, %.1f MiB file, built in %.1f s%n%n",
                        options.keys(), options.valueBytes(), Files.size(seed) / 1048576.0, (System.nanoTime() - t0) / 1e9);
            }
            boolean allInChild = !installed && options.modes().equals(List.of(StorageMode.PROVIDER));
            if (!options.warmup().isZero() && !allInChild) { // a child JVM warms its own
                warmEngine(options, seed, work);
            }
            List<Row> rows = new ArrayList<>();
            for (int r = 0; r < options.rounds(); r++) {
                int round = options.firstRound() + r;
                for (StorageMode mode : order(options.modes(), r)) {
                    Row row = mode == StorageMode.PROVIDER && !installed
                            ? ProviderChild.run(options, seed, work, round)
                            : runMode(mode, options, seed, work, round);
                    rows.add(row);
                    System.out.println("  " + Goals.line(row));
                }
            }
            List<Goals.Verdict> goals = Goals.judge(rows, options);
            if (!child) {
                Goals.print(rows, goals, options);
            }
            if (options.csv() != null) {
                Csv.write(options.csv(), Row.HEADER, Row.table(rows));
            }
            return new Result(List.copyOf(rows), goals);
        } finally {
            WATCHDOG_LOG.setLevel(logLevel);
            deleteTree(work);
        }
    }

    /**
     * One mode on a fresh copy of the seed: a warm-up on one target (JIT, MVStore's cache), then the
     * measured phase on a fresh one, so that its loop figures cover the measured phase alone; then the
     * store is closed, reopened and checked, and deleted.
     */
    static Row runMode(StorageMode mode, StorageOptions o, Path seed, Path work, int round)
            throws IOException, InterruptedException {
        Path file = work.resolve(mode.label() + "-" + round + ".mv");
        Files.copy(seed, file, StandardCopyOption.REPLACE_EXISTING);
        Engine engine = Engine.open(file, o.keys(), o.valueBytes(), o.cacheMb());
        AtomicLong nextCheckpoint = new AtomicLong(System.nanoTime() + o.checkpoint().toNanos());
        Workload.Measured m;
        Target.LoopFigures loops;
        Engine.FileFigures files;
        long syncNanos;
        try {
            if (!o.warmup().isZero()) {
                warmUp(mode, engine, o, nextCheckpoint);
            }
            Engine.FileFigures before = engine.fileFigures();
            engine.takeLongestSyncNanos(); // the warm-up's
            Target target = Target.open(mode, o);
            try {
                m = new Workload(engine, target, o, nextCheckpoint).run(o.duration(), true);
            } finally {
                loops = target.close();
            }
            files = engine.fileFigures().minus(before);
            syncNanos = engine.takeLongestSyncNanos();
        } finally {
            engine.close();
        }
        failOnError(mode, m);
        long written = engine.verify(file);
        Files.delete(file);
        double ms = 1e-6;
        boolean noLoop = loops == Target.LoopFigures.NONE;
        return new Row(round, mode.label(), m.seconds(), m.inWindow() / m.seconds(), m.submitted(), m.completed(),
                m.failed(), m.gets(), m.puts(), m.checkpoints(), m.ping().sent(), m.ping().ok(),
                m.ping().sent() - m.ping().ok() + m.ping().refused(), m.ping().millis(50), m.ping().millis(99),
                m.ping().maxMillis(), noLoop ? -1 : loops.longestStallNanos() * ms,
                noLoop ? -1 : loops.longestIterationNanos() * ms, loops.hogs(), loops.lags(), loops.handOffs(),
                files.reads(), files.readBytes() / 1048576.0, files.writes(), syncNanos * ms, written, m.cpu());
    }

    private static void failOnError(StorageMode mode, Workload.Measured m) {
        if (m.firstError() != null) {
            throw new IllegalStateException(mode.label() + ": " + m.failed() + " operation(s) failed; the first: "
                    + m.firstError(), m.firstError());
        }
    }

    private static void printIntro(StorageOptions o) {
        System.out.printf(Locale.ROOT, "storage: H2 MVStore %s in file mode, %,d keys x %,d B = %.0f MiB over a %d MiB cache;"
                        + " %d async callers, %d%% reads, a durable checkpoint (commit + sync) %d ms after the last;%n"
                        + "  ping %.0f/s open loop; %.1f s warm-up + %.1f s measured per mode; bridge: %d shard(s), stall"
                        + " threshold %d ms, blocking pool %d threads; platform pool: %d threads; JDK %s, %d processors%n",
                org.h2.engine.Constants.VERSION, o.keys(), o.valueBytes(), o.dataBytes() / 1048576.0, o.cacheMb(),
                o.callers(), o.readPercent(), o.checkpoint().toMillis(), o.pingPerSecond(), o.warmup().toNanos() / 1e9,
                o.duration().toNanos() / 1e9, o.shards(), o.stallThreshold().toMillis(), o.blockingThreads(), o.poolThreads(),
                Runtime.version(), Runtime.getRuntime().availableProcessors());
        if (ProviderChild.installedHere()) {
            System.out.println("  provider: this JVM has it installed (" + ProviderChild.flag() + "): measured in process");
        } else if (o.modes().contains(StorageMode.PROVIDER)) {
            System.out.println("  provider: measured in a child JVM started with " + ProviderChild.flag());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
