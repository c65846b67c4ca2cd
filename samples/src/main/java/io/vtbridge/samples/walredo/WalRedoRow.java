package io.vtbridge.samples.walredo;

import java.util.List;

/**
 * One row of the walredo sample's results: one mode at one concurrency level, over the measured
 * rounds. Throughput is the median of the rounds' (with the lowest and highest); latency is from the
 * histogram of every call of every measured round; CPU is per answered call, over all rounds.
 *
 * <p><b>Threading:</b> immutable.
 *
 * @param mode                    {@code sync} or {@code async}
 * @param callers                 concurrent callers (closed loop: each sends its next request when
 *                                its previous one is answered)
 * @param rounds                  measured rounds
 * @param calls                   calls answered, all rounds
 * @param callsPerSecond          median over the rounds of answered calls per second
 * @param minCallsPerSecond       the lowest round
 * @param maxCallsPerSecond       the highest round
 * @param p50Micros               median call latency, microseconds
 * @param p99Micros               99th percentile call latency, microseconds
 * @param maxMicros               largest call latency, microseconds
 * @param parentCpuMicrosPerCall  CPU time of this JVM per call, microseconds
 * @param childCpuMicrosPerCall   CPU time of the child process per call, microseconds
 * @param mismatches              answers whose checksum was not the expected page's
 * @param failures                callers whose loop ended with a failed call
 */
public record WalRedoRow(String mode, int callers, int rounds, long calls, double callsPerSecond,
                         double minCallsPerSecond, double maxCallsPerSecond, double p50Micros, double p99Micros,
                         double maxMicros, double parentCpuMicrosPerCall, double childCpuMicrosPerCall,
                         long mismatches, long failures) {

    /** The CSV header, in the order of {@link #values()}. */
    public static final List<String> HEADER = List.of("mode", "callers", "rounds", "calls", "calls_per_s",
            "min_calls_per_s", "max_calls_per_s", "p50_us", "p99_us", "max_us", "parent_cpu_us_per_call",
            "child_cpu_us_per_call", "mismatches", "failures");

    /** The values, in the order of {@link #HEADER}, for {@link io.vtbridge.samples.load.Csv}. */
    public List<Object> values() {
        return List.of(mode, callers, rounds, calls, round1(callsPerSecond), round1(minCallsPerSecond),
                round1(maxCallsPerSecond), round1(p50Micros), round1(p99Micros), round1(maxMicros),
                round1(parentCpuMicrosPerCall), round1(childCpuMicrosPerCall), mismatches, failures);
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
