package io.vtbridge.samples.jobqueue;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./vtb sample jobqueue}: Ganeti masterd 2.2's job queue. Its masterd served clients on 16
 * worker threads, and a client waiting for a job to change held one for the whole wait: 16 idle
 * waiting clients exhausted them, and nobody else was served, not even a job list. This sample runs
 * one job server ({@link JobRoutes}: submit / list / wait-for-change, per-job {@code BridgeLock}s with
 * a condition each, a {@code BridgeReadWriteLock} over the job list) on different threads and HTTP
 * front ends, in the same run:
 * <ol>
 *   <li>the same waiters as bare bridged tasks, without HTTP: what a waiter costs the bridge;</li>
 *   <li>over the JDK's HttpServer on {@code Executors.newFixedThreadPool(16)}: 16 idle waiters, and
 *       {@code GET /jobs} is not answered within 2 s (the attack succeeds);</li>
 *   <li>on a bridge, over the JDK's HttpServer ({@code bridge}, on a {@code BridgeExecutorService}) and
 *       over {@link LeanHttpServer} ({@code bridge-lean}, on {@code Bridge.execute}): the same 16 waiters, and lists are answered
 *       in milliseconds (the attack fails); then, on each, 10,000 idle long polls at once (their client
 *       ends in a child JVM), with the server's platform threads, its heap per waiter and the list
 *       latency measured while they wait, and every waiter getting its job's change at the end.</li>
 * </ol>
 * Options: {@link Options#HELP}. Writes the rows with {@code --csv PATH}.
 *
 * <p><b>Threading:</b> {@link #main} and {@link #run} on the calling thread, which drives the run;
 * servers, bridges, pools, clients and the child JVM are closed before {@link #run} returns.
 */
public final class JobQueueSample {

    /** Descriptors kept free beyond one per waiter: the driver's own connections, jars, pipes. */
    static final int DESCRIPTOR_RESERVE = 1_024;

    private JobQueueSample() {
    }

    /** Runs the sample with the command-line options {@code args} ({@code --help} lists them). */
    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(Options.HELP);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("jobqueue: " + e.getMessage());
            System.exit(2);
            return;
        }
        run(options);
    }

    /** Runs the sample, printing to standard output; returns the rows it printed. */
    public static Result run(Options o) throws Exception {
        return run(o, System.out);
    }

    /** Runs the sample, printing to {@code out}; returns the rows it printed. */
    public static Result run(Options o, PrintStream out) throws Exception {
        long room = descriptorRoom();
        Options run = o.waiters() > room ? o.withWaiters((int) Math.max(1, room)) : o;
        out.printf(Locale.ROOT, "jobqueue: %d idle waiters against a %d-thread pool and against a bridge of %d shard(s);"
                        + " then %,d idle long polls on the bridge, behind each HTTP front end. JDK %s, %d processors%n",
                run.attackWaiters(), run.poolThreads(), run.shards(), run.waiters(), Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "  file descriptors: limit %s; each long poll is one connection, whose client end is in a"
                + " child JVM, so the server holds one descriptor per waiter%s%n", limitText(),
                run.waiters() < o.waiters() ? String.format(Locale.ROOT, "; %,d waiters asked for, %,d fit", o.waiters(),
                        run.waiters()) : "");
        List<DriverSteps.Outcome> outcomes = new ArrayList<>();
        ExecutorService clientThreads = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("loadgen-http-", 0)
                .daemon(true).factory());
        HttpClient client = DriverSteps.newClient(clientThreads);
        try {
            out.printf(Locale.ROOT, "  %,d bare bridged waiters, cold, then warm ...%n", run.waiters());
            outcomes.addAll(BareWaitersRun.run(run));               // first: its cold figure needs a JVM that never waited
            try (ServerUnderTest fixed = ServerUnderTest.fixed(run.poolThreads(), run)) {
                out.println("  attack on " + fixed.name() + " ...");
                outcomes.add(AttackRun.run(fixed, client, run));
            }
            for (ServerUnderTest.FrontEnd frontEnd : ServerUnderTest.FrontEnd.values()) {
                try (ServerUnderTest bridged = ServerUnderTest.bridged(frontEnd, run.shards(),
                        LongPollRun.HEADROOM + run.attackWaiters(), run)) {
                    out.println("  attack on " + bridged.name() + " ...");
                    outcomes.add(AttackRun.run(bridged, client, run));
                }
            }
            for (ServerUnderTest.FrontEnd frontEnd : ServerUnderTest.FrontEnd.values()) {
                out.printf(Locale.ROOT, "  %,d long polls on %s (after %,d to warm up) ...%n", run.waiters(),
                        frontEnd.serverName(), run.warmUp());
                outcomes.add(LongPollRun.run(frontEnd, client, run));
            }
        } finally {
            client.shutdownNow();
            client.awaitTermination(Duration.ofSeconds(10));
            clientThreads.shutdownNow();
            clientThreads.awaitTermination(10, TimeUnit.SECONDS);
        }
        Result result = Report.print(outcomes, run, out);
        if (run.csv() != null) {
            result.writeCsv(run.csv());
            out.println("rows written to " + run.csv());
        }
        return result;
    }

    /** Descriptors this process may still open beyond {@link #DESCRIPTOR_RESERVE}; unbounded if the JVM cannot tell. */
    static long descriptorRoom() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - DESCRIPTOR_RESERVE;
        }
        return Long.MAX_VALUE;
    }

    private static String limitText() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return String.format(Locale.ROOT, "%,d per process (ulimit -n), %,d open now", unix.getMaxFileDescriptorCount(),
                    unix.getOpenFileDescriptorCount());
        }
        return "unknown on this platform";
    }
}
