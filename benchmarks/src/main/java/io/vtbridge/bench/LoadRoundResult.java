package io.vtbridge.bench;

import io.vtbridge.monitor.StallReport;
import org.HdrHistogram.Histogram;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One round of {@link LoadLatencyHarness}: throughput, the pings' latency (and the latency lane's,
 * for the bridge), garbage collections, and the watchdog's reports by kind.
 *
 * <p><b>Threading:</b> immutable once made (the histograms are not touched after the round).
 */
record LoadRoundResult(String mode, int round, double unitsPerSecond, long nanos, double cpu, Histogram ping, Histogram urgent,
                       Histogram sender, Histogram pingFromSend, Histogram urgentFromSend, long gcs,
                       List<StallReport> reports) {

    static final String HEADER = String.format(Locale.ROOT, "%-9s %-8s %10s %8s | %-36s | %-36s | %-14s | %-15s | %-15s | %3s | %s",
            "", "mode", "units/s", "cpu %", "ping p50 / p99 / p99.9 / max (ms)", "latency lane p50 / p99 / p99.9 / max",
            "sender p99/max", "sent→run p99/max", "lane sent→run", "gc", "watchdog reports");
    static final String CSV_HEADER = "mode,round,units_per_s,wall_s,cpu,pings,ping_p50_ms,ping_p99_ms,ping_p999_ms,ping_max_ms,"
            + "lane_pings,lane_p50_ms,lane_p99_ms,lane_p999_ms,lane_max_ms,sender_pings,sender_p50_ms,sender_p99_ms,"
            + "sender_p999_ms,sender_max_ms,sent_pings,sent_p50_ms,sent_p99_ms,sent_p999_ms,sent_max_ms,"
            + "lane_sent_pings,lane_sent_p50_ms,lane_sent_p99_ms,lane_sent_p999_ms,lane_sent_max_ms,gcs,reports";

    String row(String label) {
        return String.format(Locale.ROOT, "%-9s %-8s %,10.0f %7.0f%% | %-36s | %-36s | %6.2f/%6.1f | %6.2f/%7.1f | %-15s | %3d | %s",
                label, mode, unitsPerSecond, cpu * 100, summary(ping), urgent == null ? "-" : summary(urgent),
                ms(sender, 99), sender.getMaxValue() / 1e6, ms(pingFromSend, 99), pingFromSend.getMaxValue() / 1e6,
                urgentFromSend == null ? "-" : String.format(Locale.ROOT, "%6.2f/%7.1f", ms(urgentFromSend, 99),
                        urgentFromSend.getMaxValue() / 1e6), gcs, reportSummary());
    }

    String csv() {
        return String.format(Locale.ROOT, "%s,%d,%.0f,%.3f,%.3f,%s,%s,%s,%s,%s,%d,%s", mode, round, unitsPerSecond, nanos / 1e9, cpu,
                csvOf(ping), urgent == null ? ",,,," : csvOf(urgent), csvOf(sender), csvOf(pingFromSend),
                urgentFromSend == null ? ",,,," : csvOf(urgentFromSend), gcs, reportSummary().replace(',', ';'));
    }

    private static String summary(Histogram h) {
        return String.format(Locale.ROOT, "%.3f / %.3f / %.3f / %.1f", ms(h, 50), ms(h, 99), ms(h, 99.9),
                h.getMaxValue() / 1e6);
    }

    private static String csvOf(Histogram h) {
        return String.format(Locale.ROOT, "%d,%.3f,%.3f,%.3f,%.3f", h.getTotalCount(), ms(h, 50), ms(h, 99), ms(h, 99.9),
                h.getMaxValue() / 1e6);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e6;
    }

    private String reportSummary() {
        if (reports.isEmpty()) {
            return "none";
        }
        Map<StallReport.Kind, Integer> byKind = new EnumMap<>(StallReport.Kind.class);
        for (StallReport r : reports) {
            byKind.merge(r.kind(), 1, Integer::sum);
        }
        long longest = reports.stream().mapToLong(StallReport::nanos).max().orElse(0);
        return byKind + ", longest " + longest / 1_000_000 + " ms";
    }
}
