package io.vtbridge.samples.walredo;

import org.HdrHistogram.Histogram;

/**
 * What one round of one mode measured, before rounds are combined into a {@link WalRedoRow}.
 *
 * <p><b>Threading:</b> built by the round runner after the round; not changed after.
 *
 * @param mode            {@code sync} or {@code async}
 * @param callers         concurrent callers
 * @param calls           calls answered
 * @param nanos           from the start signal until the last caller finished
 * @param latency         per-call latency, nanoseconds, every caller's
 * @param mismatches      answers that did not match the expected page
 * @param failures        callers whose loop ended with a failed call
 * @param firstFailure    one of those failures, or null
 * @param parentCpuNanos  this JVM's CPU time during the round, -1 if unknown
 * @param childCpuNanos   the child's CPU time during the round, -1 if unknown
 */
record RoundResult(String mode, int callers, long calls, long nanos, Histogram latency, long mismatches, long failures,
                   Throwable firstFailure, long parentCpuNanos, long childCpuNanos) {

    /** Answered calls per second. */
    double callsPerSecond() {
        return calls / (nanos / 1e9);
    }
}
