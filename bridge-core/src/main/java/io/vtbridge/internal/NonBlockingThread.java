package io.vtbridge.internal;

/**
 * A marker for threads that must never park: the bridge's loop threads, which carry every virtual
 * thread of their shard. Code that would park a platform thread while it waits (the trace ring's
 * queued writers) spins and yields instead on a thread that implements this. The same idea as
 * Reactor's {@code NonBlocking} marker.
 *
 * <p>A plain marker: no methods, no state; implementing it is the whole contract.
 */
public interface NonBlockingThread {
}
