/**
 * vtbridge: run blocking, synchronous code inside an event-loop process without freezing the loop.
 *
 * <p>{@link io.vtbridge.Bridge} is the entry point ({@link io.vtbridge.Bridge#builder()} configures
 * it): it starts shards (one platform thread each, the scheduler of its virtual threads), admits
 * tasks up to a bound, and returns {@link java.util.concurrent.CompletableFuture}s. Inside bridged
 * code, {@link io.vtbridge.Bridge#sleep}, {@link io.vtbridge.Bridge#await},
 * {@link io.vtbridge.Bridge#compute}, {@link io.vtbridge.Bridge#blocking} and
 * {@link io.vtbridge.BridgeFiles} suspend the virtual thread instead of holding the shard, and
 * {@link io.vtbridge.BridgeLock}, {@link io.vtbridge.BridgeReadWriteLock} and
 * {@link io.vtbridge.BridgeSemaphore} hand off directly between waiters on any shard.
 * {@link io.vtbridge.Poison} guards state that a cancelled section may have left half-modified.
 *
 * <p>What the bridge reports about itself (events, counters, MXBeans, stalls) is in
 * {@link io.vtbridge.monitor}; the crash-surviving trace of its events in {@link io.vtbridge.trace}.
 */
package io.vtbridge;
