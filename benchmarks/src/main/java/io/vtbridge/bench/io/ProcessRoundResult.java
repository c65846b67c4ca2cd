package io.vtbridge.bench.io;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * One measured round of {@link ProcessChannelHarness}: one mode at one concurrency.
 *
 * <p><b>Threading:</b> immutable once made (the histogram is not touched after the round).
 */
record ProcessRoundResult(String mode, int concurrency, int round, long calls, long nanos, Histogram latency) {

    static final String HEADER = String.format(Locale.ROOT, "%-8s %-10s %5s %12s %9s %9s %9s %9s",
            "", "mode", "conc", "calls/s", "p50 us", "p90 us", "p99 us", "max us");
    static final String CSV_HEADER = "mode,concurrency,round,calls,wall_s,calls_per_s,p50_us,p90_us,p99_us,p999_us,max_us";

    double callsPerSecond() {
        return calls / (nanos / 1e9);
    }

    String row(String label) {
        return String.format(Locale.ROOT, "%-8s %-10s %5d %,12.0f %9.1f %9.1f %9.1f %9.1f", label, mode, concurrency,
                callsPerSecond(), us(50), us(90), us(99), latency.getMaxValue() / 1e3);
    }

    String csv() {
        return String.format(Locale.ROOT, "%s,%d,%d,%d,%.3f,%.0f,%.1f,%.1f,%.1f,%.1f,%.1f", mode, concurrency, round, calls,
                nanos / 1e9, callsPerSecond(), us(50), us(90), us(99), us(99.9), latency.getMaxValue() / 1e3);
    }

    private double us(double percentile) {
        return latency.getValueAtPercentile(percentile) / 1e3;
    }
}
