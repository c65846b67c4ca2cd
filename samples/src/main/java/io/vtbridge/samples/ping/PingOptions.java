package io.vtbridge.samples.ping;

import io.vtbridge.samples.http.SampleArgs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one run of {@link PingUnderLoad} does; {@link #parse} reads it from the command line.
 *
 * @param rounds        rounds; each runs every mode once, in {@code modes} order
 * @param warmup        per mode and round: load and pings before measuring (JIT, connections)
 * @param measure       per mode and round: the measured pings
 * @param pingRate      pings per second, open loop
 * @param queryClients  closed-loop {@code /query} clients
 * @param queryWork     CPU work of one query (calibrated once, then the same in every mode)
 * @param chunkWork     CPU work of one chunk of the background job
 * @param background    background loops
 * @param cpuThreads    the bridge's CPU pool threads in mode {@code bridge}
 * @param cpuQueue      the bridge's CPU pool queue capacity (beyond it a query gets a 503)
 * @param poolThreads   threads of the common pool in mode {@code common-pool}
 * @param modes         the modes to run
 * @param port          the server's port; 0: an ephemeral one
 * @param csv           where to write the rows; null: nowhere
 */
public record PingOptions(int rounds, Duration warmup, Duration measure, int pingRate, int queryClients,
                          Duration queryWork, Duration chunkWork, int background, int cpuThreads, int cpuQueue,
                          int poolThreads, List<PingMode> modes, int port, Path csv) {

    private static final Set<String> FLAGS = Set.of("--quick");
    private static final Set<String> VALUED = Set.of("--rounds", "--warmup", "--seconds", "--ping-rate",
            "--query-clients", "--query-us", "--chunk-us", "--background", "--cpu-threads", "--cpu-queue",
            "--pool-threads", "--modes", "--port", "--csv");

    /** The one-screen usage text of {@code --help}. */
    static final String USAGE = """
            ./vtb sample ping-under-load [OPTIONS]
              /ping must answer while /query and a background job keep the CPU busy. The same server
              (same handlers, same work) on a bridge (CPU work on its CPU pool), on one common fixed
              pool, and on default virtual threads; /ping latency measured open loop from the due time.
              --quick              a short run: 1 round, 1 s warm-up + 3 s per mode
              --rounds N           rounds, every mode once per round (default 3)
              --warmup S           seconds of load before measuring, per mode and round (default 2)
              --seconds S          measured seconds per mode and round (default 10)
              --ping-rate N        pings per second, open loop (default 200)
              --query-clients N    closed-loop /query clients (default 32)
              --query-us N         CPU work of one query, microseconds (default 2000)
              --chunk-us N         CPU work of one background chunk, microseconds (default 1000)
              --background N       background loops (default 1)
              --cpu-threads N      the bridge's CPU pool in mode bridge (default: processors - 1, at least 1)
              --cpu-queue N        the bridge's CPU pool queue; beyond it /query answers 503 (default 10000)
              --pool-threads N     the common pool's threads (default: processors)
              --modes LIST         of bridge,bridge-all-cores,common-pool,virtual (default: all four)
              --port N             the server's port (default 0: ephemeral)
              --csv PATH           write the rows as CSV
              --help               this text""";

    /** Checks what a record built in code holds. */
    public PingOptions {
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(measure, "measure");
        Objects.requireNonNull(queryWork, "queryWork");
        Objects.requireNonNull(chunkWork, "chunkWork");
        modes = List.copyOf(Objects.requireNonNull(modes, "modes"));
        positive("rounds", rounds);
        positive("pingRate", pingRate);
        positive("queryClients", queryClients);
        positive("background", background);
        positive("cpuThreads", cpuThreads);
        positive("cpuQueue", cpuQueue);
        positive("poolThreads", poolThreads);
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("modes must not be empty");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535: " + port);
        }
        if (measure.isNegative() || measure.isZero() || warmup.isNegative() || warmup.isZero()) {
            throw new IllegalArgumentException("warmup and measure must be positive: " + warmup + ", " + measure);
        }
    }

    /** The defaults (about 3 minutes), or with {@code quick} a run of about 40 seconds. */
    public static PingOptions defaults(boolean quick) {
        int cpus = Runtime.getRuntime().availableProcessors();
        return new PingOptions(quick ? 1 : 3, Duration.ofSeconds(quick ? 1 : 2), Duration.ofSeconds(quick ? 3 : 10),
                200, 32, Duration.ofMillis(2), Duration.ofMillis(1), 1, Math.max(1, cpus - 1), 10_000, cpus,
                List.of(PingMode.values()), 0, null);
    }

    /**
     * Reads the command line; null if it asked for {@code --help} (the usage is printed).
     *
     * @throws IllegalArgumentException naming the bad option and its value
     */
    public static PingOptions parse(String[] args) {
        SampleArgs a = SampleArgs.parse(args, USAGE, FLAGS, VALUED);
        if (a == null) {
            return null;
        }
        PingOptions d = defaults(a.flag("--quick"));
        List<PingMode> modes = a.choices("--modes", List.of(PingMode.values()), PingMode::label, d.modes);
        return new PingOptions(a.positiveInt("--rounds", d.rounds), a.seconds("--warmup", d.warmup),
                a.seconds("--seconds", d.measure), a.intIn("--ping-rate", d.pingRate, 1, 100_000),
                a.intIn("--query-clients", d.queryClients, 1, 10_000),
                Duration.ofNanos(1000L * a.positiveInt("--query-us", (int) (d.queryWork.toNanos() / 1000))),
                Duration.ofNanos(1000L * a.positiveInt("--chunk-us", (int) (d.chunkWork.toNanos() / 1000))),
                a.intIn("--background", d.background, 1, 1_000), a.intIn("--cpu-threads", d.cpuThreads, 1, 4_096),
                a.positiveInt("--cpu-queue", d.cpuQueue), a.intIn("--pool-threads", d.poolThreads, 1, 4_096),
                modes, a.intIn("--port", d.port, 0, 65_535), a.path("--csv"));
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
