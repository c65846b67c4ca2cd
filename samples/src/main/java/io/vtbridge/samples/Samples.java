package io.vtbridge.samples;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./vtb sample NAME [ARGS]}: runs one sample server against the alternative a user would
 * otherwise pick, in the same run, and prints what it measured. Each sample listens on loopback
 * only, runs for a bounded time and stops by itself; {@code --help} after the name lists its options.
 *
 * <p><b>Threading:</b> {@link #main} runs on the JVM's main thread.
 */
public final class Samples {

    /** Sample name → its main class and what it shows; the order of the README. */
    static final Map<String, String[]> SAMPLES = new LinkedHashMap<>();

    static {
        SAMPLES.put("ping-under-load", new String[]{"io.vtbridge.samples.ping.PingUnderLoad",
                "/ping on an HTTP server whose CPU is saturated by queries: Bridge.compute against a common pool and virtual threads (InfluxDB IOx)"});
        SAMPLES.put("jobqueue", new String[]{"io.vtbridge.samples.jobqueue.JobQueueSample",
                "10,000 long-poll waiters on a job server, against a 16-thread server that 16 idle clients exhaust (Ganeti masterd)"});
        SAMPLES.put("walredo", new String[]{"io.vtbridge.samples.walredo.WalRedoSample",
                "a child process applying WAL records, shared by many callers: pipelined vs one request at a time (Neon's walredo)"});
        SAMPLES.put("storage", new String[]{"io.vtbridge.samples.storage.StorageSample",
                "H2's MVStore in file mode driven from async callers: stall policies, the nio provider, SYNC mode (Seastar's tame reactor)"});
        SAMPLES.put("http-latency", new String[]{"io.vtbridge.samples.http.HttpLatency",
                "short blocking handlers at a fixed request rate: latency and CPU per request, on a bridge vs virtual threads"});
        SAMPLES.put("stress", new String[]{"io.vtbridge.samples.stress.StressSample",
                "five planted concurrency bugs found by seeded random and PCT schedules with virtual time, vs platform threads in a loop"});
    }

    private Samples() {
    }

    /** Runs the sample named by {@code args[0]} with the remaining arguments; {@code list} lists them. */
    public static void main(String[] args) throws Throwable {
        String name = args.length == 0 ? "list" : args[0];
        String[] rest = args.length == 0 ? new String[0] : Arrays.copyOfRange(args, 1, args.length);
        String[] sample = SAMPLES.get(name);
        if (sample == null) {
            if (!name.equals("list")) {
                System.err.println("no sample named '" + name + "'");
            }
            System.out.println("./vtb sample NAME [ARGS], NAME one of:");
            SAMPLES.forEach((n, s) -> System.out.printf("  %-16s %s%n", n, s[1]));
            if (!name.equals("list")) {
                System.exit(2);
            }
            return;
        }
        Method main = Class.forName(sample[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) rest);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
