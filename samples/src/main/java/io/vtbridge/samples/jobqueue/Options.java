package io.vtbridge.samples.jobqueue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The options of {@link JobQueueSample}; {@link #parse} reads them from the command line, where
 * {@code --quick} changes the defaults and any option given explicitly wins over them.
 *
 * @param quick         a short run (well under a minute): fewer waiters, shorter load phases
 * @param waiters       idle long-poll clients held at once on each bridged server (and bare waiters)
 * @param attackWaiters idle long-poll clients of the attack, against every server
 * @param poolThreads   the fixed pool's size (Ganeti masterd 2.2: 16 client workers)
 * @param shards        the bridge's shards
 * @param setupRate     long polls opened per second at most (one new TCP connection each)
 * @param listRate      {@code GET /jobs} per second, open loop
 * @param listDuration  how long each {@code GET /jobs} load runs
 * @param listTimeout   a {@code GET /jobs} not answered within this is a failure
 * @param waitTimeout   the server's long-poll timeout when a client gives none (then 304)
 * @param warmUp        long polls parked and released before the long-poll measurement, so that
 *                      the waiting path is compiled when it is measured
 * @param port          the servers' port, one after the other; 0: a free port each
 * @param csv           where to write the rows, or null
 * @param histogram     also print the classes that grew most per waiter (a heap histogram)
 *
 * <p><b>Threading:</b> immutable.
 */
public record Options(boolean quick, int waiters, int attackWaiters, int poolThreads, int shards, double setupRate,
                      double listRate, Duration listDuration, Duration listTimeout, Duration waitTimeout, int warmUp,
                      int port, Path csv, boolean histogram) {

    /** The most waiters accepted (each is one connection and one bridged task). */
    public static final int MAX_WAITERS = 1_000_000;

    /** The option list {@code --help} prints. */
    public static final String HELP = """
            ./vtb sample jobqueue [OPTIONS]
              a job server (submit / list / wait-for-change over HTTP) with thousands of idle long-poll
              clients, on a bridge (behind the JDK's HttpServer and behind a lean socket server),
              against the same server on a fixed pool of 16 threads
              --quick                a short run (2,000 waiters, 2 s load phases, less warm-up)
              --waiters N            idle long polls held at once on the bridge, behind each
                                     front end, and bare waiters (default 10000)
              --attack-waiters N     idle long polls of the attack on every server (default 16)
              --pool-threads N       the fixed pool's threads (default 16)
              --shards N             the bridge's shards (default 2)
              --setup-rate N         long polls opened per second at most (default 2000; quick 4000)
              --list-rate N          GET /jobs per second, open loop (default 200; quick 100)
              --list-seconds S       length of each GET /jobs load (default 10; quick 2)
              --list-timeout-ms MS   a GET /jobs not answered within MS fails (default 2000)
              --wait-timeout S       the server's long-poll timeout, then 304 (default 30)
              --warm-up N            long polls parked and released before the long-poll
                                     measurement, so the path is compiled (default 10000; quick 2000)
              --port P               the servers' port (default 0: a free port)
              --csv PATH             write the rows as CSV
              --histogram            print the classes that grew most per waiter
              --help                 this list""";

    /**
     * Reads {@code args}.
     *
     * @throws IllegalArgumentException naming the option and the value when one is unknown or out of range
     */
    public static Options parse(String... args) {
        boolean quick = false;
        for (String a : args) {
            quick |= a.equals("--quick");
        }
        int waiters = quick ? 2_000 : 10_000;
        int attackWaiters = 16;
        int poolThreads = 16;
        int shards = 2;
        double setupRate = quick ? 4_000 : 2_000;
        double listRate = quick ? 100 : 200;
        double listSeconds = quick ? 2 : 10;
        long listTimeoutMs = 2_000;
        long waitTimeoutS = 30;
        int warmUp = quick ? 2_000 : 10_000;
        int port = 0;
        Path csv = null;
        boolean histogram = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--quick" -> { }
                case "--histogram" -> histogram = true;
                case "--waiters" -> waiters = (int) whole(option, value(args, ++i, option), 1, MAX_WAITERS);
                case "--attack-waiters" -> attackWaiters = (int) whole(option, value(args, ++i, option), 1, 4_096);
                case "--pool-threads" -> poolThreads = (int) whole(option, value(args, ++i, option), 1, 4_096);
                case "--shards" -> shards = (int) whole(option, value(args, ++i, option), 1, 1_024);
                case "--setup-rate" -> setupRate = real(option, value(args, ++i, option), 1, 1_000_000);
                case "--list-rate" -> listRate = real(option, value(args, ++i, option), 0.1, 100_000);
                case "--list-seconds" -> listSeconds = real(option, value(args, ++i, option), 0.1, 3_600);
                case "--list-timeout-ms" -> listTimeoutMs = whole(option, value(args, ++i, option), 1, 600_000);
                case "--wait-timeout" -> waitTimeoutS = whole(option, value(args, ++i, option), 1, 3_600);
                case "--warm-up" -> warmUp = (int) whole(option, value(args, ++i, option), 0, 10_000_000);
                case "--port" -> port = (int) whole(option, value(args, ++i, option), 0, 65_535);
                case "--csv" -> csv = Path.of(value(args, ++i, option));
                default -> throw new IllegalArgumentException("unknown option: " + option + " (--help lists them)");
            }
        }
        return new Options(quick, waiters, attackWaiters, poolThreads, shards, setupRate, listRate,
                Duration.ofNanos(Math.round(listSeconds * 1e9)), Duration.ofMillis(listTimeoutMs),
                Duration.ofSeconds(waitTimeoutS), warmUp, port, csv, histogram);
    }

    /** The same options with {@code waiters} waiters. */
    public Options withWaiters(int newWaiters) {
        return new Options(quick, newWaiters, attackWaiters, poolThreads, shards, setupRate, listRate, listDuration,
                listTimeout, waitTimeout, warmUp, port, csv, histogram);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static long whole(String option, String text, long min, long max) {
        long v;
        try {
            v = Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number: " + text);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ": " + text);
        }
        return v;
    }

    private static double real(String option, String text, double min, double max) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number: " + text);
        }
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be in %s..%s: %s", option,
                    fmt(min), fmt(max), text));
        }
        return v;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
