package io.vtbridge.samples.walredo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The walredo sample's options. {@link #parse} reads a command line; {@link #defaults()} and
 * {@link #quick()} are the two starting points, and the {@code with...} methods change one value,
 * for a program (a test, the benchmark report) that calls {@link WalRedoSample#run} directly.
 *
 * <p><b>Threading:</b> immutable.
 *
 * @param callers        the concurrency levels of the sweep, in order: concurrent callers per round
 * @param seconds        length of one measured round
 * @param rounds         measured rounds per level and mode; the table shows the median
 * @param warmupSeconds  length of the warm-up, per mode, before the sweep
 * @param shards         the bridge's shards (async mode)
 * @param pages          pages each child keeps; at least the largest concurrency (each caller owns pages)
 * @param records        records per request
 * @param recordBytes    bytes of the page each record changes (a multiple of 8, at most a page)
 * @param answerPage     whether the child answers with the whole page (else its checksum)
 * @param fairLock       whether the sync mode's lock is fair
 * @param bridgedCallers whether the async mode's callers are bridged virtual threads calling
 *                       {@code ProcessChannel.call} (else chains of {@code request} futures)
 * @param csv            where to write the rows, or null
 * @param help           whether {@code --help} was given
 */
public record WalRedoOptions(List<Integer> callers, double seconds, int rounds, double warmupSeconds, int shards,
                             int pages, int records, int recordBytes, boolean answerPage, boolean fairLock, boolean bridgedCallers,
                             Path csv, boolean help) {

    /** The options {@code --help} lists, one line each. */
    static final String HELP = String.join("\n",
            "./vtb sample walredo [OPTIONS]: one child process applying WAL records to 8 KiB pages, shared by",
            "N callers; sync (N platform threads, one request at a time behind a lock) against async",
            "(ProcessChannel, pipelined, N bridged virtual threads), same child program, closed loop per caller.",
            "  --quick               callers 1,4,16,64, 0.5 s rounds, 1 round, 0.5 s warm-up (under a minute)",
            "  --callers LIST        concurrency levels, comma-separated (default 1,2,4,8,16,32,64,128)",
            "  --seconds S           length of a measured round (default 2)",
            "  --rounds R            measured rounds per level and mode, median shown (default 3)",
            "  --warmup S            warm-up per mode before the sweep (default 2)",
            "  --shards N            the bridge's shards (default: one per processor)",
            "  --pages N             pages each child keeps (default 1024; at least the largest level)",
            "  --records N           WAL records per request (default 16)",
            "  --record-bytes B      bytes of the page each record changes, a multiple of 8 (default 4096)",
            "  --answer page|checksum  the child answers with the 8 KiB page (default) or its checksum",
            "  --sync-lock fair|barging  the sync mode's lock (default fair: callers served in turn)",
            "  --async-callers bridged|futures  async callers: bridged virtual threads calling channel.call",
            "                        (default), or chains of channel.request futures, run on the channel's reader thread",
            "  --csv PATH            write the rows (mode, callers, calls/s, latency, CPU) as CSV",
            "  --help                this text");

    /** Checks every value; see the record's parameters. */
    public WalRedoOptions {
        Objects.requireNonNull(callers, "callers");
        callers = List.copyOf(callers);
        if (callers.isEmpty()) {
            throw new IllegalArgumentException("--callers must name at least one level");
        }
        for (int n : callers) {
            if (n < 1) {
                throw new IllegalArgumentException("--callers must be positive: " + callers);
            }
        }
        requirePositive("--seconds", seconds);
        if (!(warmupSeconds >= 0)) { // zero allowed: no warm-up
            throw new IllegalArgumentException("--warmup must not be negative: " + warmupSeconds);
        }
        requireAtLeast("--rounds", rounds, 1);
        requireAtLeast("--shards", shards, 1);
        requireAtLeast("--records", records, 0);
        if (records > PageRedo.MAX_RECORDS) {
            throw new IllegalArgumentException("--records must be at most " + PageRedo.MAX_RECORDS + ": " + records);
        }
        if (recordBytes < 8 || recordBytes > PageRedo.PAGE_BYTES || recordBytes % 8 != 0) {
            throw new IllegalArgumentException("--record-bytes must be a multiple of 8 in 8.." + PageRedo.PAGE_BYTES + ": " + recordBytes);
        }
        int most = Collections.max(callers);
        if (pages < most) {
            throw new IllegalArgumentException("--pages " + pages + " is fewer than the largest --callers level " + most
                    + " (each caller owns at least one page)");
        }
        if (pages > 65_536) {
            throw new IllegalArgumentException("--pages must be at most 65536 (512 MiB per child): " + pages);
        }
    }

    /** The full sweep: N = 1..128 by doubling, 3 rounds of 2 s per level and mode. */
    public static WalRedoOptions defaults() {
        return new WalRedoOptions(List.of(1, 2, 4, 8, 16, 32, 64, 128), 2, 3, 2,
                Runtime.getRuntime().availableProcessors(), 1024, 16, 4096, true, true, true, null, false);
    }

    /** {@code --quick}: N = 1, 4, 16, 64, one round of 0.5 s each, 0.5 s warm-up. */
    public static WalRedoOptions quick() {
        return defaults().withCallers(List.of(1, 4, 16, 64)).withSeconds(0.5).withRounds(1).withWarmupSeconds(0.5);
    }

    /** Record bytes as 64-bit words. */
    int recordWords() {
        return recordBytes / Long.BYTES;
    }

    /** These options with other concurrency levels. */
    public WalRedoOptions withCallers(List<Integer> levels) {
        return new WalRedoOptions(levels, seconds, rounds, warmupSeconds, shards, pages, records, recordBytes, answerPage, fairLock, bridgedCallers, csv, help);
    }

    /** These options with another round length. */
    public WalRedoOptions withSeconds(double s) {
        return new WalRedoOptions(callers, s, rounds, warmupSeconds, shards, pages, records, recordBytes, answerPage, fairLock, bridgedCallers, csv, help);
    }

    /** These options with another number of measured rounds. */
    public WalRedoOptions withRounds(int r) {
        return new WalRedoOptions(callers, seconds, r, warmupSeconds, shards, pages, records, recordBytes, answerPage, fairLock, bridgedCallers, csv, help);
    }

    /** These options with another warm-up length. */
    public WalRedoOptions withWarmupSeconds(double s) {
        return new WalRedoOptions(callers, seconds, rounds, s, shards, pages, records, recordBytes, answerPage, fairLock, bridgedCallers, csv, help);
    }

    /** These options with another page count. */
    public WalRedoOptions withPages(int n) {
        return new WalRedoOptions(callers, seconds, rounds, warmupSeconds, shards, n, records, recordBytes, answerPage, fairLock, bridgedCallers, csv, help);
    }

    /** These options with the async mode's callers bridged virtual threads (true) or chains of futures (false). */
    public WalRedoOptions withBridgedCallers(boolean bridged) {
        return new WalRedoOptions(callers, seconds, rounds, warmupSeconds, shards, pages, records, recordBytes, answerPage, fairLock, bridged, csv, help);
    }

    /** These options with another CSV destination (null: none). */
    public WalRedoOptions withCsv(Path path) {
        return new WalRedoOptions(callers, seconds, rounds, warmupSeconds, shards, pages, records, recordBytes, answerPage, fairLock, bridgedCallers, path, help);
    }

    /**
     * Reads a command line (see {@link #HELP}); {@code --quick} first sets the quick values, and
     * other options change them, wherever they stand.
     *
     * @throws IllegalArgumentException naming the bad option and value
     */
    public static WalRedoOptions parse(String... args) {
        Objects.requireNonNull(args, "args");
        WalRedoOptions o = List.of(args).contains("--quick") ? quick() : defaults();
        List<Integer> callers = o.callers;
        double seconds = o.seconds;
        int rounds = o.rounds;
        double warmup = o.warmupSeconds;
        int shards = o.shards;
        int pages = o.pages;
        int records = o.records;
        int recordBytes = o.recordBytes;
        boolean answerPage = o.answerPage;
        boolean fairLock = o.fairLock;
        boolean bridged = o.bridgedCallers;
        Path csv = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--quick" -> {
                    continue;
                }
                case "--help", "-h" -> {
                    help = true;
                    continue;
                }
                default -> {
                }
            }
            String value = i + 1 < args.length ? args[++i] : null;
            if (value == null && isKnown(option)) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            switch (option) {
                case "--callers" -> callers = levels(value);
                case "--seconds" -> seconds = number(option, value);
                case "--rounds" -> rounds = integer(option, value);
                case "--warmup" -> warmup = number(option, value);
                case "--shards" -> shards = integer(option, value);
                case "--pages" -> pages = integer(option, value);
                case "--records" -> records = integer(option, value);
                case "--record-bytes" -> recordBytes = integer(option, value);
                case "--answer" -> answerPage = choice(option, value, "page", "checksum");
                case "--sync-lock" -> fairLock = choice(option, value, "fair", "barging");
                case "--async-callers" -> bridged = choice(option, value, "bridged", "futures");
                case "--csv" -> csv = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + option + " (--help lists them)");
            }
        }
        return new WalRedoOptions(callers, seconds, rounds, warmup, shards, pages, records, recordBytes, answerPage, fairLock, bridged, csv, help);
    }

    private static boolean isKnown(String option) {
        return List.of("--callers", "--seconds", "--rounds", "--warmup", "--shards", "--pages", "--records", "--record-bytes",
                "--answer", "--sync-lock", "--async-callers", "--csv").contains(option);
    }

    private static List<Integer> levels(String value) {
        List<Integer> levels = new ArrayList<>();
        for (String part : value.split(",")) {
            try {
                levels.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--callers is not a comma-separated list of integers: " + value);
            }
        }
        return levels;
    }

    private static double number(String option, String value) {
        try {
            double d = Double.parseDouble(value);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException(value);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " is not a number: " + value);
        }
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " is not an integer: " + value);
        }
    }

    /** True for {@code first}, false for {@code second}. */
    private static boolean choice(String option, String value, String first, String second) {
        if (value.equals(first) || value.equals(second)) {
            return value.equals(first);
        }
        throw new IllegalArgumentException(option + " must be " + first + " or " + second + ": " + value);
    }

    private static void requirePositive(String option, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(option + " must be positive: " + value);
        }
    }

    private static void requireAtLeast(String option, int value, int least) {
        if (value < least) {
            throw new IllegalArgumentException(option + " must be at least " + least + ": " + value);
        }
    }
}
