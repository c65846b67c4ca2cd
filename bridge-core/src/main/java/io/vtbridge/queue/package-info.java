/**
 * Lock-free hand-offs between threads.
 *
 * <h2>Access-mode names</h2>
 * Every field touched by more than one thread has one {@code static final VarHandle} beside it,
 * and each access says its mode in the code, as in {@code java.lang.invoke.VarHandle}:
 * <ul>
 *   <li>{@code getAndSet}, {@code compareAndSet}, plain {@code volatile} reads and writes —
 *       sequentially consistent; used where two threads each write one location and then read the
 *       other's (the Dekker pattern of every "publish, then check whether the other side sleeps").</li>
 *   <li>{@code setRelease} / {@code getAcquire} — a one-way publication: every release store names,
 *       in its comment, the acquire load it pairs with (Agrona's rule).</li>
 *   <li>{@code setOpaque} / {@code getOpaque} — single-writer counters read by monitoring threads:
 *       no tearing, no ordering.</li>
 *   <li>plain — data owned by one thread (the loop), or ordered by a release/acquire pair named
 *       next to it.</li>
 * </ul>
 */
package io.vtbridge.queue;
