package io.vtbridge.samples.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one run of {@link HttpLatency} does; {@link #parse} reads it from the command line.
 *
 * @param rates   requests per second, open loop, each measured in every round and mode
 * @param rounds  rounds; each runs every rate, the modes in turn (their order alternates by round)
 * @param warmup  per rate, mode and round: requests at the rate before measuring
 * @param measure per rate, mode and round: the measured requests
 * @param remote  the legacy call's remote wait ({@code Thread.sleep}); zero: none
 * @param keys    the keys the requests cycle through
 * @param shards  the bridge's shards
 * @param modes   the modes to run
 * @param port    the server's port; 0: an ephemeral one
 * @param csv     where to write the rows; null: nowhere
 */
public record LatencyOptions(List<Integer> rates, int rounds, Duration warmup, Duration measure, Duration remote,
                             int keys, int shards, List<LatencyMode> modes, int port, Path csv) {

    private static final Set<String> FLAGS = Set.of("--quick");
    private static final Set<String> VALUED = Set.of("--rates", "--rounds", "--warmup", "--seconds", "--remote-us",
            "--keys", "--shards", "--modes", "--port", "--csv");

    /** The one-screen usage text of {@code --help}. */
    static final String USAGE = """
            ./vtb sample http-latency [OPTIONS]
              The same JDK HttpServer handlers (a 1 ms remote call, Thread.sleep, then a map update under a
              ReentrantLock) on a bridge and on default virtual threads, at fixed request rates below
              saturation, open loop: latency from the due time, and CPU time per request.
              --quick            a short run: rates 500,2000, 1 round, 1 s warm-up + 3 s per rate and mode
              --rates LIST       requests per second (default 500,1000,2000: below saturation on 2 cores,
                                 where the JDK's client and server in one JVM cost about 0.4 ms of CPU a request)
              --rounds N         rounds; every rate and mode once per round (default 3)
              --warmup S         seconds at the rate before measuring (default 2)
              --seconds S        measured seconds per rate, mode and round (default 10)
              --remote-us N      the legacy call's remote wait, microseconds; 0: none (default 1000)
              --keys N           keys the requests cycle through (default 1024)
              --shards N         the bridge's shards (default: processors)
              --modes LIST       of bridge,virtual (default: both)
              --port N           the server's port (default 0: ephemeral)
              --csv PATH         write the rows as CSV
              --help             this text""";

    /** Checks what a record built in code holds. */
    public LatencyOptions {
        rates = List.copyOf(Objects.requireNonNull(rates, "rates"));
        modes = List.copyOf(Objects.requireNonNull(modes, "modes"));
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(measure, "measure");
        Objects.requireNonNull(remote, "remote");
        if (rates.isEmpty() || modes.isEmpty()) {
            throw new IllegalArgumentException("rates and modes must not be empty: " + rates + ", " + modes);
        }
        for (int rate : rates) {
            if (rate < 1) {
                throw new IllegalArgumentException("rates must be positive: " + rates);
            }
        }
        if (rounds < 1 || keys < 1 || shards < 1) {
            throw new IllegalArgumentException("rounds, keys and shards must be positive: " + rounds + ", " + keys + ", " + shards);
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535: " + port);
        }
        if (measure.isNegative() || measure.isZero() || warmup.isNegative() || warmup.isZero() || remote.isNegative()) {
            throw new IllegalArgumentException("warmup and measure must be positive, remote not negative: "
                    + warmup + ", " + measure + ", " + remote);
        }
    }

    /** The defaults (about 4 minutes), or with {@code quick} a run of about 30 seconds. */
    public static LatencyOptions defaults(boolean quick) {
        return new LatencyOptions(quick ? List.of(500, 2_000) : List.of(500, 1_000, 2_000), quick ? 1 : 3,
                Duration.ofSeconds(quick ? 1 : 2), Duration.ofSeconds(quick ? 3 : 10), Duration.ofMillis(1), 1024,
                Runtime.getRuntime().availableProcessors(), List.of(LatencyMode.values()), 0, null);
    }

    /**
     * Reads the command line; null if it asked for {@code --help} (the usage is printed).
     *
     * @throws IllegalArgumentException naming the bad option and its value
     */
    public static LatencyOptions parse(String[] args) {
        SampleArgs a = SampleArgs.parse(args, USAGE, FLAGS, VALUED);
        if (a == null) {
            return null;
        }
        LatencyOptions d = defaults(a.flag("--quick"));
        return new LatencyOptions(a.positiveInts("--rates", d.rates), a.positiveInt("--rounds", d.rounds),
                a.seconds("--warmup", d.warmup), a.seconds("--seconds", d.measure),
                Duration.ofNanos(1000L * a.intIn("--remote-us", (int) (d.remote.toNanos() / 1000), 0, 10_000_000)),
                a.intIn("--keys", d.keys, 1, 1_000_000), a.intIn("--shards", d.shards, 1, 1024),
                a.choices("--modes", List.of(LatencyMode.values()), LatencyMode::label, d.modes),
                a.intIn("--port", d.port, 0, 65_535), a.path("--csv"));
    }
}
