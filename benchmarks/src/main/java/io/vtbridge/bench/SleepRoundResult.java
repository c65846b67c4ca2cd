package io.vtbridge.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * What one round of {@link SleepLatencyHarness} measured, and how it is printed (table row, CSV line).
 * Lateness is {@code actual wake - intended deadline}, both from {@link System#nanoTime()}, in
 * microseconds. Bridge counters are deltas over the round, summed over shards; -1 where the mode has
 * no bridge (shown as "-" in the table, left empty in the CSV).
 *
 * @param mode             how the sleepers slept
 * @param round            0-based; negative for a warm-up round
 * @param sleepers         sleepers started
 * @param sleepMillis      the fixed sleep of each
 * @param submitMillis     time to submit all sleepers
 * @param releaseMillis    from the release until the last sleeper began to sleep: how long the start
 *                         gate took to resume them all (without the gate: from the first submission)
 * @param wallMillis       from the release (the gate's opening, or the first submission without the
 *                         gate) until the last sleeper finished
 * @param sleepsPerSecond  {@code sleepers / wall}
 * @param p50Micros        median lateness, over the sleepers that finished
 * @param p90Micros        90th percentile of lateness (nearest rank)
 * @param p99Micros        99th percentile of lateness (nearest rank)
 * @param maxMicros        the largest lateness
 * @param minMicros        the smallest lateness (negative: someone woke early)
 * @param early            sleepers that woke before their deadline (must be 0)
 * @param unfinished       sleepers that did not finish in time or failed (must be 0)
 * @param threadsBefore    live platform threads before the round
 * @param threadsPeak      peak live platform threads during the round
 * @param loopUnparks      unparks other threads issued to the loops
 * @param remoteResumes    continuations that reached the loops from other threads (inbound and expiry queues)
 * @param timersFired      loop timers fired ({@link io.vtbridge.Bridge#sleep})
 * @param loopParks        times a loop parked
 * @param gcCount          garbage collections during the round
 * @param gcMillis         time those collections took (as the collectors report it)
 * @param cpuMicrosPerSleeper the process's CPU time during the round (every thread: the executor's,
 *                         the sleepers', the submitting thread's, the JVM's own) over the sleepers
 */
record SleepRoundResult(SleepMode mode, int round, int sleepers, long sleepMillis,
                        double submitMillis, double releaseMillis, double wallMillis, double sleepsPerSecond,
                        double p50Micros, double p90Micros, double p99Micros, double maxMicros, double minMicros,
                        int early, int unfinished, int threadsBefore, int threadsPeak,
                        long loopUnparks, long remoteResumes, long timersFired, long loopParks,
                        long gcCount, long gcMillis, double cpuMicrosPerSleeper) {

    static final String CSV_HEADER = "mode,round,sleepers,sleep_ms,submit_ms,release_ms,wall_ms,sleeps_per_s,"
            + "lateness_p50_us,lateness_p90_us,lateness_p99_us,lateness_max_us,lateness_min_us,early,unfinished,"
            + "platform_threads_before,platform_threads_peak,loop_unparks,remote_resumes,timers_fired,loop_parks,gc_count,gc_ms,cpu_us_per_sleeper";

    private static final String ROW = "%-20s %5s %8s %9s %10s %9s %9s %9s %9s %9s %9s %5s %5s %12s %8s %10s %7s %9s %10s%n";

    static String tableHeader() {
        return String.format(Locale.ROOT, ROW, "mode", "round", "sleepers", "submit ms", "release ms", "wall ms",
                "sleeps/s", "p50 us", "p90 us", "p99 us", "max us", "early", "lost", "threads b/pk", "unparks",
                "remote res", "timers", "gc n/ms", "cpu us/slp");
    }

    String tableRow() {
        return String.format(Locale.ROOT, ROW, mode.id, round < 0 ? "warm" : Integer.toString(round + 1),
                sleepers, fixed(submitMillis, 1), fixed(releaseMillis, 1), fixed(wallMillis, 1),
                fixed(sleepsPerSecond, 0),
                fixed(p50Micros, 0), fixed(p90Micros, 0), fixed(p99Micros, 0), fixed(maxMicros, 0),
                early, unfinished, threadsBefore + "/" + threadsPeak, counter(loopUnparks),
                counter(remoteResumes), counter(timersFired), gcCount + "/" + gcMillis, fixed(cpuMicrosPerSleeper, 1));
    }

    String csvLine() {
        return String.join(",", mode.id, Integer.toString(round + 1), Integer.toString(sleepers),
                Long.toString(sleepMillis), fixed(submitMillis, 3), fixed(releaseMillis, 3), fixed(wallMillis, 3),
                fixed(sleepsPerSecond, 1),
                fixed(p50Micros, 1), fixed(p90Micros, 1), fixed(p99Micros, 1), fixed(maxMicros, 1),
                fixed(minMicros, 1), Integer.toString(early), Integer.toString(unfinished),
                Integer.toString(threadsBefore), Integer.toString(threadsPeak), csvCounter(loopUnparks),
                csvCounter(remoteResumes), csvCounter(timersFired), csvCounter(loopParks),
                Long.toString(gcCount), Long.toString(gcMillis), fixed(cpuMicrosPerSleeper, 2));
    }

    /** A row of medians over {@code rounds} (all of one mode), shown with round "med". */
    static String medianRow(List<SleepRoundResult> rounds) {
        SleepRoundResult first = rounds.get(0);
        return String.format(Locale.ROOT, ROW, first.mode.id, "med", first.sleepers,
                fixed(median(rounds, SleepRoundResult::submitMillis), 1),
                fixed(median(rounds, SleepRoundResult::releaseMillis), 1),
                fixed(median(rounds, SleepRoundResult::wallMillis), 1),
                fixed(median(rounds, SleepRoundResult::sleepsPerSecond), 0),
                fixed(median(rounds, SleepRoundResult::p50Micros), 0),
                fixed(median(rounds, SleepRoundResult::p90Micros), 0),
                fixed(median(rounds, SleepRoundResult::p99Micros), 0),
                fixed(median(rounds, SleepRoundResult::maxMicros), 0),
                rounds.stream().mapToInt(SleepRoundResult::early).sum(),
                rounds.stream().mapToInt(SleepRoundResult::unfinished).sum(),
                (int) median(rounds, SleepRoundResult::threadsBefore) + "/"
                        + (int) median(rounds, SleepRoundResult::threadsPeak),
                counter((long) median(rounds, SleepRoundResult::loopUnparks)),
                counter((long) median(rounds, SleepRoundResult::remoteResumes)),
                counter((long) median(rounds, SleepRoundResult::timersFired)),
                (long) median(rounds, SleepRoundResult::gcCount) + "/" + (long) median(rounds, SleepRoundResult::gcMillis),
                fixed(median(rounds, SleepRoundResult::cpuMicrosPerSleeper), 1));
    }

    private static double median(List<SleepRoundResult> rounds, ToDoubleFunction<SleepRoundResult> field) {
        double[] values = rounds.stream().mapToDouble(field).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static String fixed(double value, int decimals) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String csvCounter(long value) {
        return value < 0 ? "" : Long.toString(value);
    }

    private static String counter(long value) {
        return value < 0 ? "-" : Long.toString(value);
    }

    /**
     * Nearest-rank percentile {@code p} (0 &lt; p &lt;= 1) of {@code sorted[from, to)}, which must be sorted
     * ascending and non-empty.
     */
    static long percentile(long[] sorted, int from, int to, double p) {
        int n = to - from;
        int rank = (int) Math.ceil(p * n); // 1-based
        return sorted[from + Math.max(0, Math.min(n, rank) - 1)];
    }

    /** Sorts {@code samples} in place (no copy) and returns the index of the first valid sample. */
    static int sortValid(long[] samples, long missing) {
        Arrays.sort(samples);
        int first = 0;
        while (first < samples.length && samples[first] == missing) {
            first++;
        }
        return first;
    }
}
