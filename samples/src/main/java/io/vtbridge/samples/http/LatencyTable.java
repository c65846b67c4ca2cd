package io.vtbridge.samples.http;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Prints {@link HttpLatency}'s rows as a table, then per rate the medians over the rounds of both
 * modes side by side with the goal's verdict.
 *
 * <p><b>Threading:</b> static methods; one thread per stream at a time.
 */
final class LatencyTable {

    private LatencyTable() {
    }

    static void print(List<LatencyRow> rows, PrintStream out) {
        out.println();
        out.println(" rate/s  round  mode        sent       ok  lost   p50 / p99 / p99.9 / max ms           sender late p99"
                + "  CPU us/req  server us/req  carriers us/req  CPU busy");
        for (LatencyRow r : rows) {
            out.printf(Locale.ROOT, "%7d  %5d  %-8s %8d %8d %5d  %6.2f / %6.2f / %6.2f / %7.2f  %15.2f  %10.1f  %13.1f  %15.1f  %7.1f%%%n",
                    r.rate(), r.round(), r.mode(), r.sent(), r.ok(), r.lost(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(),
                    r.senderLateP99Ms(), r.cpuUsPerRequest(), r.serverCpuUsPerRequest(), r.carrierCpuUsPerRequest(),
                    r.cpuBusyPct());
        }
        out.println("  latency from when each request was due (it includes the sender's lateness); CPU us/req: process CPU"
                + " time / requests answered; server us/req: the same without the load generator's threads; carriers us/req:"
                + " the threads that run and wake the handlers (the bridge's, or the JDK scheduler's).");
    }

    /**
     * Prints, per rate, the medians over the rounds and whether the bridge met the goal there.
     *
     * @return whether it met the goal at every rate (false if a mode did not run)
     */
    static boolean printGoal(List<LatencyRow> rows, List<Integer> rates, PrintStream out) {
        out.println();
        out.println("goal: on the bridge, p50 and p99 no worse than default virtual threads', CPU per request lower"
                + " (medians over the rounds)");
        out.println(" rate/s   bridge p50 / p99 ms   virtual p50 / p99 ms   bridge / virtual CPU us/req  verdict");
        boolean met = true;
        for (int rate : rates) {
            List<LatencyRow> bridge = of(rows, rate, LatencyMode.BRIDGE);
            List<LatencyRow> virtual = of(rows, rate, LatencyMode.VIRTUAL);
            if (bridge.isEmpty() || virtual.isEmpty()) {
                out.printf(Locale.ROOT, "%7d   not measured (needs both modes)%n", rate);
                met = false;
                continue;
            }
            double bp50 = median(bridge, LatencyRow::p50Ms);
            double bp99 = median(bridge, LatencyRow::p99Ms);
            double vp50 = median(virtual, LatencyRow::p50Ms);
            double vp99 = median(virtual, LatencyRow::p99Ms);
            double bcpu = median(bridge, LatencyRow::cpuUsPerRequest);
            double vcpu = median(virtual, LatencyRow::cpuUsPerRequest);
            boolean lost = bridge.stream().anyMatch(r -> r.lost() > 0);
            boolean ok = bp50 <= vp50 && bp99 <= vp99 && bcpu < vcpu && !lost;
            out.printf(Locale.ROOT, "%7d   %8.2f / %7.2f     %8.2f / %7.2f     %10.1f / %-10.1f     %s%s%n", rate, bp50, bp99,
                    vp50, vp99, bcpu, vcpu, ok ? "met" : "NOT met", reasons(bp50 > vp50, bp99 > vp99, bcpu >= vcpu, lost));
            met &= ok;
        }
        out.println(met ? "goal met at every rate" : "goal NOT met at every rate");
        return met;
    }

    private static String reasons(boolean p50, boolean p99, boolean cpu, boolean lost) {
        StringBuilder why = new StringBuilder();
        if (p50) {
            why.append(" p50");
        }
        if (p99) {
            why.append(" p99");
        }
        if (cpu) {
            why.append(" CPU");
        }
        if (lost) {
            why.append(" lost requests");
        }
        return why.isEmpty() ? "" : " (worse:" + why + ")";
    }

    private static List<LatencyRow> of(List<LatencyRow> rows, int rate, LatencyMode mode) {
        return rows.stream().filter(r -> r.rate() == rate && r.mode().equals(mode.label())).toList();
    }

    /** The median of {@code field} over {@code rows} (the mean of the middle two for an even count). */
    static double median(List<LatencyRow> rows, ToDoubleFunction<LatencyRow> field) {
        double[] values = rows.stream().mapToDouble(field).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
