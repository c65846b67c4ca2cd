/**
 * The trace ring: a fixed-size ring of variable-length binary records that any number of threads
 * append to at once, on the heap or in a memory-mapped file that outlives a crashed process
 * ({@link io.vtbridge.trace.TraceRing}); its reader, for a live ring or a file
 * ({@link io.vtbridge.trace.TraceReader}); the compact encoding of a bridge event
 * ({@link io.vtbridge.trace.TraceEvent}); and a command-line dump ({@link io.vtbridge.trace.TraceDump}).
 * Design, file layout and thread-safety: {@code docs/TRACE.md}.
 *
 * <h2>Access-mode names</h2>
 * As in {@code io.vtbridge.queue}: {@code compareAndSet} and {@code getAndSet} are sequentially
 * consistent; every {@code setRelease} names the {@code getAcquire} it pairs with;
 * {@code setOpaque}/{@code getOpaque} for counters that one thread at a time writes (here: the holder
 * of the tail lock) and monitoring threads read.
 *
 * <p>The records themselves live in a {@link java.nio.ByteBuffer}, and a heap buffer supports no
 * atomic access mode (JDK 25 refuses even {@code getAcquire} on one). So the one byte that publishes a
 * record, its commit tag, is a plain byte store preceded by {@link java.lang.invoke.VarHandle#releaseFence()},
 * and a reader loads it plainly and follows the load with {@link java.lang.invoke.VarHandle#acquireFence()}:
 * the fence pair is the release/acquire pair. Each fence says at its site what it orders.
 */
package io.vtbridge.trace;
