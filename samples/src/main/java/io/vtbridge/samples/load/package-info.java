/**
 * What the samples' load generators share: {@link io.vtbridge.samples.load.OpenLoop} (fixed-rate
 * sending, latency from the due time, HdrHistogram), {@link io.vtbridge.samples.load.Cpu} (process
 * CPU time), {@link io.vtbridge.samples.load.Csv} (results in the form {@code docs/bench/} keeps) and
 * {@link io.vtbridge.samples.load.RunDeadline} (a command-line run that does not end within its bound
 * dumps its threads and exits 1).
 */
package io.vtbridge.samples.load;
