/**
 * The hand-offs inside {@link io.vtbridge.adapters.io}'s process channel and stream wrappers, public
 * only so that the jcstress tests can reach them: not exported by the module, free to change.
 *
 * <p>{@link io.vtbridge.adapters.io.internal.PooledCall} (a stream call started by a pool thread or
 * abandoned by its caller, never both), {@link io.vtbridge.adapters.io.internal.ClosableQueue} (a FIFO
 * whose close never loses an accepted element), {@link io.vtbridge.adapters.io.internal.InFlight}
 * (responses matched to requests in order, whatever callers cancel),
 * {@link io.vtbridge.adapters.io.internal.Exchange} (a request and its future) and
 * {@link io.vtbridge.adapters.io.internal.Slots} (the in-flight bound).
 *
 * <p>Access modes, in the {@link io.vtbridge.Poison} style: plain {@code volatile} reads and writes
 * and {@code compareAndSet} (sequentially consistent) unless a method says otherwise; where a
 * release store is used, its comment names the acquire load it pairs with.
 */
package io.vtbridge.adapters.io.internal;
