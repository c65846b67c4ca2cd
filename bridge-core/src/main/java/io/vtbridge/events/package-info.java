/**
 * Delivery of the event model to a {@code BridgeListener}: a single-producer ring per shard, filled
 * on the loop thread, and one dispatcher thread per bridge that drains them.
 *
 * <h2>Access-mode names</h2>
 * As in {@code io.vtbridge.queue}: {@code setRelease}/{@code getAcquire} pairs name each other;
 * {@code setOpaque}/{@code getOpaque} for single-writer counters.
 */
package io.vtbridge.events;
