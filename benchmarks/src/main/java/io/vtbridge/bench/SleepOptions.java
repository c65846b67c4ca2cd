package io.vtbridge.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command-line options of {@link SleepLatencyHarness}. */
record SleepOptions(int sleepers, long sleepMillis, int rounds, int warmupRounds, int shards, List<SleepMode> modes,
                    Path csv, boolean gate, int rate, long timeoutSeconds) {

    static final String USAGE = """
            usage: java --add-opens java.base/java.lang=ALL-UNNAMED -cp benchmarks.jar \\
                       io.vtbridge.bench.SleepLatencyHarness [options]
              --sleepers N     concurrent sleepers per round             (default 100000)
              --sleep-ms MS    how long each one sleeps                  (default 20)
              --rounds R       measured rounds per mode                  (default 3)
              --warmup W       warm-up rounds per mode, not recorded     (default 2)
              --shards S       shards of the bridge modes' bridge        (default 2)
              --modes LIST     comma-separated, run in this order        (default %s)
              --csv PATH       where to write the measured rounds        (default target/sleep-latency.csv)
              --no-gate        start sleeping as soon as started, not all at once
              --rate R         open loop: submit R sleepers a second, no gate (default: all at once)
              --timeout-s T    give up on sleepers T s after their deadline (default 60)
            """.formatted(SleepMode.ids());

    /** The options, or null if help was asked for. */
    static SleepOptions parse(String[] args) {
        int sleepers = 100_000;
        long sleepMillis = 20;
        int rounds = 3;
        int warmup = 2;
        int shards = 2;
        List<SleepMode> modes = List.of(SleepMode.values());
        Path csv = Path.of("target", "sleep-latency.csv");
        boolean gate = true;
        int rate = 0;
        long timeout = 60;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--no-gate" -> gate = false;
                case "--sleepers" -> sleepers = positiveInt(arg, value != null ? value : next(args, ++i, arg));
                case "--sleep-ms" -> sleepMillis = positiveInt(arg, value != null ? value : next(args, ++i, arg));
                case "--rounds" -> rounds = positiveInt(arg, value != null ? value : next(args, ++i, arg));
                case "--warmup" -> warmup = nonNegativeInt(arg, value != null ? value : next(args, ++i, arg));
                case "--shards" -> shards = positiveInt(arg, value != null ? value : next(args, ++i, arg));
                case "--rate" -> rate = positiveInt(arg, value != null ? value : next(args, ++i, arg));
                case "--timeout-s" -> timeout = positiveInt(arg, value != null ? value : next(args, ++i, arg));
                case "--csv" -> csv = Path.of(value != null ? value : next(args, ++i, arg));
                case "--modes" -> {
                    List<SleepMode> chosen = new ArrayList<>();
                    for (String id : (value != null ? value : next(args, ++i, arg)).split(",")) {
                        chosen.add(SleepMode.byId(id.trim()));
                    }
                    modes = List.copyOf(chosen);
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (rate > 0) {
            gate = false; // open loop: each sleeper starts as it arrives
        }
        return new SleepOptions(sleepers, sleepMillis, rounds, warmup, shards, modes, csv, gate, rate, timeout);
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positiveInt(String option, String value) {
        int n = nonNegativeInt(option, value);
        if (n == 0) {
            throw new IllegalArgumentException(option + " must be positive, was " + value);
        }
        return n;
    }

    private static int nonNegativeInt(String option, String value) {
        try {
            int n = Integer.parseInt(value.replace("_", ""));
            if (n < 0) {
                throw new IllegalArgumentException(option + " must not be negative, was " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, was '" + value + "'");
        }
    }
}
