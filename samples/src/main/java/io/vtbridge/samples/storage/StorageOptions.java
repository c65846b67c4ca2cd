package io.vtbridge.samples.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link StorageSample} runs: the data set, the load, the modes, how long. {@link #defaults()}
 * is the full run, {@link #quick()} a run of about 40 s; {@link #parse} reads the command
 * line and {@link #toArgs()} writes it back (for the child JVM of the provider mode).
 *
 * <p><b>Threading:</b> immutable; any thread.
 *
 * @param keys            entries in the store (values are overwritten, never added)
 * @param valueBytes      bytes per value
 * @param cacheMb         MVStore's page cache, MiB (the data set should be several times larger)
 * @param callers         asynchronous callers, each with one operation outstanding at a time
 * @param readPercent     share of the operations that are reads (the others are writes), 0–100
 * @param checkpoint      the time from the end of one durable checkpoint ({@code commit} + {@code sync}) to the next
 * @param warmup          unmeasured time per mode before the measured window
 * @param duration        the measured window per mode
 * @param pingPerSecond   the ping's fixed rate (open loop)
 * @param shards          the bridge's shards
 * @param poolThreads     threads of the fixed platform pool
 * @param blockingThreads threads of the bridge's blocking pool (the provider's file calls, SYNC tasks)
 * @param stallThreshold  the bridge's stall threshold (reports, and the hand-off under HAND_OFF)
 * @param rounds          how many times the list of modes runs, back to back, every other time in reverse
 * @param modes           the modes, in the order they run in even rounds (odd rounds reverse it)
 * @param csv             where to write the rows, or {@code null}
 * @param seed            an existing seed store to copy instead of building one, or {@code null}
 * @param logStalls       whether the watchdog's warnings are logged (off: only counted)
 * @param firstRound      the number the first round's rows carry (the child JVM runs one round)
 */
public record StorageOptions(int keys, int valueBytes, int cacheMb, int callers, int readPercent,
                             Duration checkpoint, Duration warmup, Duration duration, double pingPerSecond,
                             int shards, int poolThreads, int blockingThreads, Duration stallThreshold, int rounds,
                             List<StorageMode> modes, Path csv, Path seed, boolean logStalls, int firstRound) {

    /** The lines {@code --help} prints. */
    static final String HELP = """
            ./vtb sample storage [OPTIONS]
              H2's MVStore in file mode (a real engine, unchanged: its own locks, its background writer,
              FileChannel I/O) driven by asynchronous callers: the bridge under BlockingPolicy REPORT and
              HAND_OFF, with the nio provider installed (in a child JVM), in Mode.SYNC, against JDK virtual
              threads and a fixed platform pool. Throughput, the longest loop stall, a ping's latency.
              --quick                a run of about 40 s (32 MiB data set, 1 s warm-up + 3 s measured per mode)
              --csv PATH             write the measured rows (header + rows)
              --keys N               entries in the store (default 16384)
              --value-bytes N        bytes per value (default 4096)
              --cache-mb N           MVStore's page cache in MiB (default 4)
              --callers N            asynchronous callers, one operation outstanding each (default 64)
              --read-percent N       reads among the operations, 0-100, the rest are writes (default 80)
              --checkpoint-ms N      a durable checkpoint (commit + sync) N ms after the last one ended (default 2000)
              --warmup-seconds S     unmeasured time per mode (default 3)
              --seconds S            measured time per mode (default 10)
              --ping-rate N          pings per second, open loop (default 200)
              --shards N             the bridge's shards (default: processors)
              --pool-threads N       threads of the fixed platform pool (default 16)
              --blocking-threads N   threads of the bridge's blocking pool: the provider's file calls, SYNC
                                     tasks (default 64, the bridge's default)
              --stall-threshold-ms N the bridge's stall threshold (default 100)
              --rounds N             run the list of modes N times, every other time in reverse (default 1)
              --modes LIST           comma-separated, in order, from: virtual,platform,report,hand-off,sync,provider
                                     (default all, in that order)
              --log-stalls           let the watchdog log each stall (default: counted, not logged)
              --help                 this text""";

    /** Checks every value and copies the list. */
    public StorageOptions {
        positive("--keys", keys);
        if (valueBytes < Values.HEADER_BYTES) {
            throw new IllegalArgumentException("--value-bytes must be at least " + Values.HEADER_BYTES + ": " + valueBytes);
        }
        positive("--cache-mb", cacheMb);
        positive("--callers", callers);
        if (readPercent < 0 || readPercent > 100) {
            throw new IllegalArgumentException("--read-percent must be 0-100: " + readPercent);
        }
        positive("--checkpoint-ms", checkpoint);
        Objects.requireNonNull(warmup, "warmup");
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup-seconds must not be negative: " + warmup);
        }
        positive("--seconds", duration);
        if (!(pingPerSecond > 0) || Double.isInfinite(pingPerSecond)) {
            throw new IllegalArgumentException("--ping-rate must be positive: " + pingPerSecond);
        }
        positive("--shards", shards);
        positive("--pool-threads", poolThreads);
        positive("--blocking-threads", blockingThreads);
        positive("--stall-threshold-ms", stallThreshold);
        positive("--rounds", rounds);
        positive("firstRound", firstRound);
        modes = List.copyOf(Objects.requireNonNull(modes, "modes"));
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("--modes must name at least one mode");
        }
    }

    /**
     * The full run: a 64 MiB data set over a 4 MiB cache, 80 % reads, a checkpoint every 2 s, 3 s
     * warm-up and 10 s measured per mode.
     */
    public static StorageOptions defaults() {
        return new StorageOptions(16_384, 4096, 4, 64, 80, Duration.ofSeconds(2), Duration.ofSeconds(3),
                Duration.ofSeconds(10), 200, Runtime.getRuntime().availableProcessors(), 16, 64,
                Duration.ofMillis(100), 1, List.of(StorageMode.values()), null, null, false, 1);
    }

    /** {@code --quick}: a 32 MiB data set, 1 s warm-up and 3 s measured per mode. */
    public static StorageOptions quick() {
        return defaults().with(8192, Duration.ofSeconds(1), Duration.ofSeconds(3));
    }

    /** These options with another data set size and times. */
    public StorageOptions with(int newKeys, Duration newWarmup, Duration newDuration) {
        return new StorageOptions(newKeys, valueBytes, cacheMb, callers, readPercent, checkpoint, newWarmup,
                newDuration, pingPerSecond, shards, poolThreads, blockingThreads, stallThreshold, rounds, modes, csv, seed, logStalls,
                firstRound);
    }

    /** These options with other modes. */
    public StorageOptions withModes(List<StorageMode> newModes) {
        return new StorageOptions(keys, valueBytes, cacheMb, callers, readPercent, checkpoint, warmup, duration,
                pingPerSecond, shards, poolThreads, blockingThreads, stallThreshold, rounds, newModes, csv, seed, logStalls, firstRound);
    }

    /**
     * The least warm-up of the provider mode's child JVM (unless none is asked for): it starts cold,
     * while the parent's modes run in a JVM whose JIT has compiled MVStore's paths already.
     */
    static final Duration CHILD_MIN_WARMUP = Duration.ofSeconds(3);

    /**
     * These options for one round of the child JVM: its seed, its CSV, its round number, and a
     * warm-up of at least {@link #CHILD_MIN_WARMUP}.
     */
    StorageOptions forChild(Path childSeed, Path childCsv, int round) {
        Duration childWarmup = warmup.isZero() || warmup.compareTo(CHILD_MIN_WARMUP) >= 0 ? warmup : CHILD_MIN_WARMUP;
        return new StorageOptions(keys, valueBytes, cacheMb, callers, readPercent, checkpoint, childWarmup, duration,
                pingPerSecond, shards, poolThreads, blockingThreads, stallThreshold, 1, List.of(StorageMode.PROVIDER), childCsv,
                childSeed, logStalls, round);
    }

    /** The size of the data set, bytes (values only). */
    public long dataBytes() {
        return (long) keys * valueBytes;
    }

    /**
     * Reads the command line: {@code --quick} first sets the quick defaults, then each option
     * overrides one value, whatever the order.
     *
     * @return the options, or {@code null} for {@code --help}
     * @throws IllegalArgumentException naming the bad option and its value
     */
    public static StorageOptions parse(String... args) {
        List<String> list = Arrays.asList(args);
        if (list.contains("--help")) {
            return null;
        }
        StorageOptions o = list.contains("--quick") ? quick() : defaults();
        int keys = o.keys;
        int valueBytes = o.valueBytes;
        int cacheMb = o.cacheMb;
        int callers = o.callers;
        int readPercent = o.readPercent;
        Duration checkpoint = o.checkpoint;
        Duration warmup = o.warmup;
        Duration duration = o.duration;
        double ping = o.pingPerSecond;
        int shards = o.shards;
        int poolThreads = o.poolThreads;
        int blockingThreads = o.blockingThreads;
        Duration threshold = o.stallThreshold;
        int rounds = o.rounds;
        List<StorageMode> modes = o.modes;
        Path csv = null;
        Path seed = null;
        boolean logStalls = false;
        int firstRound = 1;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            switch (name) {
                case "--quick" -> { }
                case "--log-stalls" -> logStalls = true;
                case "--keys" -> keys = intValue(name, value(args, ++i, name));
                case "--value-bytes" -> valueBytes = intValue(name, value(args, ++i, name));
                case "--cache-mb" -> cacheMb = intValue(name, value(args, ++i, name));
                case "--callers" -> callers = intValue(name, value(args, ++i, name));
                case "--read-percent" -> readPercent = intValue(name, value(args, ++i, name));
                case "--checkpoint-ms" -> checkpoint = Duration.ofMillis(intValue(name, value(args, ++i, name)));
                case "--warmup-seconds" -> warmup = seconds(name, value(args, ++i, name));
                case "--seconds" -> duration = seconds(name, value(args, ++i, name));
                case "--ping-rate" -> ping = doubleValue(name, value(args, ++i, name));
                case "--shards" -> shards = intValue(name, value(args, ++i, name));
                case "--pool-threads" -> poolThreads = intValue(name, value(args, ++i, name));
                case "--blocking-threads" -> blockingThreads = intValue(name, value(args, ++i, name));
                case "--stall-threshold-ms" -> threshold = Duration.ofMillis(intValue(name, value(args, ++i, name)));
                case "--rounds" -> rounds = intValue(name, value(args, ++i, name));
                case "--modes" -> modes = modes(value(args, ++i, name));
                case "--csv" -> csv = Path.of(value(args, ++i, name));
                case "--seed" -> seed = Path.of(value(args, ++i, name));          // the child JVM's
                case "--first-round" -> firstRound = intValue(name, value(args, ++i, name)); // the child JVM's
                default -> throw new IllegalArgumentException("unknown option: " + name + " (--help lists them)");
            }
        }
        return new StorageOptions(keys, valueBytes, cacheMb, callers, readPercent, checkpoint, warmup, duration, ping,
                shards, poolThreads, blockingThreads, threshold, rounds, modes, csv, seed, logStalls, firstRound);
    }

    /** The command line that {@link #parse} reads back as these options. */
    public List<String> toArgs() {
        List<String> args = new ArrayList<>(List.of(
                "--keys", String.valueOf(keys), "--value-bytes", String.valueOf(valueBytes),
                "--cache-mb", String.valueOf(cacheMb), "--callers", String.valueOf(callers),
                "--read-percent", String.valueOf(readPercent), "--checkpoint-ms", String.valueOf(checkpoint.toMillis()),
                "--warmup-seconds", seconds(warmup), "--seconds", seconds(duration),
                "--ping-rate", String.valueOf(pingPerSecond), "--shards", String.valueOf(shards),
                "--pool-threads", String.valueOf(poolThreads), "--blocking-threads", String.valueOf(blockingThreads),
                "--stall-threshold-ms", String.valueOf(stallThreshold.toMillis()), "--rounds", String.valueOf(rounds),
                "--modes", String.join(",", modes.stream().map(StorageMode::label).toList()),
                "--first-round", String.valueOf(firstRound)));
        if (csv != null) {
            args.addAll(List.of("--csv", csv.toString()));
        }
        if (seed != null) {
            args.addAll(List.of("--seed", seed.toString()));
        }
        if (logStalls) {
            args.add("--log-stalls");
        }
        return args;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static int intValue(String name, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number: " + text);
        }
    }

    private static double doubleValue(String name, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number: " + text);
        }
    }

    private static Duration seconds(String name, String text) {
        double s = doubleValue(name, text);
        if (!(s >= 0) || s > 86_400) {
            throw new IllegalArgumentException(name + " must be 0-86400 seconds: " + text);
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }

    private static List<StorageMode> modes(String text) {
        Set<StorageMode> modes = new LinkedHashSet<>();
        for (String label : text.split(",")) {
            StorageMode mode = StorageMode.byLabel(label.trim());
            if (mode == null) {
                throw new IllegalArgumentException("--modes: no mode named '" + label.trim() + "' in " + text
                        + " (virtual, platform, report, hand-off, sync, provider)");
            }
            modes.add(mode);
        }
        return List.copyOf(modes);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
