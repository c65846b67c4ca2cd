package io.vtbridge.samples.ping;

/**
 * One measured run of one mode: a row of {@link PingUnderLoad}'s table and of its CSV (one column
 * per component). Times in milliseconds, shares in percent of all processors.
 *
 * @param round              the round, from 1
 * @param mode               the {@link PingMode} label
 * @param cpuBusyPct         the process's CPU time over the measured seconds, % of all processors
 * @param loadCpuPct         the load generator's part of it (client threads and the sender)
 * @param pingP50Ms          /ping latency from the due time, p50
 * @param pingP99Ms          p99
 * @param pingMaxMs          max
 * @param pingFromSendP99Ms  /ping latency from when it was sent, p99: without the sender's lateness
 * @param pingSent           pings sent
 * @param pingOk             pings answered 200
 * @param pingLost           pings failed, refused by the generator's in-flight bound, or unanswered
 * @param senderLateP99Ms    how late the sending thread itself was, p99: a floor under the ping figures
 * @param senderLateMaxMs    max
 * @param queriesPerSec      queries answered 200 per second
 * @param queries503         queries answered 503 (the CPU pool's queue was full)
 * @param queriesFailed      queries failed otherwise
 * @param queryP50Ms         query latency from its send (closed loop), p50
 * @param queryP99Ms         p99
 * @param backgroundMsPerSec the background job's work done, milliseconds of calibrated work per second
 */
public record PingRow(int round, String mode, double cpuBusyPct, double loadCpuPct, double pingP50Ms, double pingP99Ms,
                      double pingMaxMs, double pingFromSendP99Ms, long pingSent, long pingOk, long pingLost, double senderLateP99Ms,
                      double senderLateMaxMs, double queriesPerSec, long queries503, long queriesFailed,
                      double queryP50Ms, double queryP99Ms, double backgroundMsPerSec) {
}
