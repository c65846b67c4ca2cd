/**
 * What the samples' load generators share: {@link io.vtbridge.samples.load.OpenLoop} (fixed-rate
 * sending, latency from the due time, HdrHistogram), {@link io.vtbridge.samples.load.Cpu} (process
 * CPU time) and {@link io.vtbridge.samples.load.Csv} (results in the form {@code docs/bench/} keeps).
 */
package io.vtbridge.samples.load;
