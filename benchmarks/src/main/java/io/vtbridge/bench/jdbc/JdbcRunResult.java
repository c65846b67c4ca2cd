package io.vtbridge.bench.jdbc;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * One measured run of {@link JdbcHarness}: a mode at a number of concurrent callers, its throughput
 * over the measurement window, the latency of the calls that completed in it, errors, CPU use and
 * the peak of live platform threads.
 *
 * <p><b>Threading:</b> immutable once made (the histogram is not touched after the run).
 */
record JdbcRunResult(String mode, int callers, int round, long ops, double seconds, Histogram latency, long errors,
                     double cpu, int platformThreadsPeak) {

    static final String HEADER = String.format(Locale.ROOT, "%-7s %-9s %7s %10s | %-32s | %6s | %6s | %s",
            "round", "mode", "callers", "ops/s", "latency p50 / p99 / p99.9 / max (ms)", "errors", "cpu %", "platform threads peak");
    static final String CSV_HEADER = "mode,callers,round,ops,seconds,ops_per_s,p50_ms,p99_ms,p999_ms,max_ms,errors,cpu,platform_threads_peak";

    double opsPerSecond() {
        return ops / seconds;
    }

    String row(String label) {
        return String.format(Locale.ROOT, "%-7s %-9s %7d %,10.0f | %7.3f / %7.3f / %7.3f / %6.1f | %6d | %5.0f%% | %d",
                label, mode, callers, opsPerSecond(), ms(50), ms(99), ms(99.9), latency.getMaxValue() / 1e6, errors,
                cpu * 100, platformThreadsPeak);
    }

    String csv() {
        return String.format(Locale.ROOT, "%s,%d,%d,%d,%.3f,%.0f,%.3f,%.3f,%.3f,%.3f,%d,%.3f,%d", mode, callers, round, ops, seconds,
                opsPerSecond(), ms(50), ms(99), ms(99.9), latency.getMaxValue() / 1e6, errors, cpu, platformThreadsPeak);
    }

    double ms(double percentile) {
        return latency.getValueAtPercentile(percentile) / 1e6;
    }
}
