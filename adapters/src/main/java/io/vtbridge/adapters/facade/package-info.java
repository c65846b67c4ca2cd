/**
 * Facades between a synchronous interface and its asynchronous twin, in both directions.
 *
 * <ul>
 *   <li>{@link io.vtbridge.adapters.facade.AsyncFacade}: async callers call legacy, blocking code
 *       through an interface whose methods return {@code CompletableFuture}s; each call runs the
 *       blocking method as a bridged task, on the shard of its {@link io.vtbridge.adapters.facade.ShardKey}
 *       when one is marked.</li>
 *   <li>{@link io.vtbridge.adapters.facade.SyncFacade}: legacy code, running bridged, calls an async
 *       service as if it blocked; each call suspends its virtual thread until the service's future
 *       completes.</li>
 * </ul>
 *
 * Both check the twin interfaces once, when the facade is made, and report every mismatch in one
 * {@link java.lang.IllegalArgumentException}.
 */
package io.vtbridge.adapters.facade;
