package io.vtbridge.samples.http;

/**
 * One measured run of one mode at one rate: a row of {@link HttpLatency}'s table and of its CSV
 * (one column per component). Times in milliseconds, CPU in microseconds per request.
 *
 * @param rate               requests per second offered, open loop
 * @param round              the round, from 1
 * @param mode               the {@link LatencyMode} label
 * @param sent               requests sent
 * @param ok                 answered 200
 * @param lost               failed, refused by the generator's in-flight bound, or unanswered
 * @param p50Ms              latency from the due time, p50
 * @param p99Ms              p99
 * @param p999Ms             p99.9
 * @param maxMs              max
 * @param senderLateP99Ms    how late the sending thread itself was, p99: a floor under the latencies
 * @param cpuUsPerRequest    the process's CPU time over the measured seconds / requests answered
 * @param serverCpuUsPerRequest the same without the load generator's threads (client and sender)
 * @param cpuBusyPct         the process's CPU time over the measured seconds, % of all processors
 * @param carrierCpuUsPerRequest the CPU time of the threads that carry and wake the handlers
 *                           ({@link CarrierThreads}) / requests answered: where the modes differ
 */
public record LatencyRow(int rate, int round, String mode, long sent, long ok, long lost, double p50Ms, double p99Ms,
                         double p999Ms, double maxMs, double senderLateP99Ms, double cpuUsPerRequest,
                         double serverCpuUsPerRequest, double cpuBusyPct, double carrierCpuUsPerRequest) {
}
