/**
 * vtbridge: run blocking, synchronous code inside an event-loop process without freezing the loop.
 *
 * <p>{@link io.vtbridge.Bridge} is the entry point: it starts shards (one platform thread each, the
 * scheduler of its virtual threads), admits tasks up to a bound, and returns
 * {@link java.util.concurrent.CompletableFuture}s. Inside bridged code, {@link io.vtbridge.Bridge#sleep}
 * and {@link io.vtbridge.Bridge#await} suspend on the loop itself.
 *
 * <p>Packages by runtime role: {@code loop} (the shard loop and its wake-up handshake),
 * {@code queue} (the lock-free inbound queue), {@code timer} (loop-owned timers), {@code task}
 * (admission and the in-flight registry), {@code internal} (JDK access).
 */
package io.vtbridge;
