package io.vtbridge.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Single-writer event counters of one loop.
 *
 * <p><b>Threading:</b> {@link #increment} and {@link #add} only on the thread that owns the loop
 * (the loop thread, or a virtual thread it carries); {@link #get} from any thread. Writes are opaque
 * stores, so a reader never sees a torn value; it may see a slightly old one.
 */
public final class LoopCounters {

    private static final VarHandle VALUE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final LoopCounter[] ALL = LoopCounter.values();

    private final long[] values = new long[ALL.length]; // setOpaque by the loop owner, getOpaque by readers
    private final java.util.concurrent.atomic.AtomicLongArray shared = new java.util.concurrent.atomic.AtomicLongArray(ALL.length); // any thread: counts made off the loop (a carrier that lost it)

    /** Adds one. Loop owner only. */
    public void increment(LoopCounter counter) {
        int i = counter.ordinal();
        VALUE.setOpaque(values, i, values[i] + 1);
    }

    /** Adds {@code delta}. Loop owner only. */
    public void add(LoopCounter counter, long delta) {
        int i = counter.ordinal();
        VALUE.setOpaque(values, i, values[i] + delta);
    }

    /** Adds one from a thread that is not the loop's owner (atomic). */
    public void incrementShared(LoopCounter counter) {
        shared.incrementAndGet(counter.ordinal());
    }

    /** Adds {@code delta} from a thread that is not the loop's owner (atomic). */
    public void addShared(LoopCounter counter, long delta) {
        shared.addAndGet(counter.ordinal(), delta);
    }

    /** The current value, from any thread. */
    public long get(LoopCounter counter) {
        int i = counter.ordinal();
        return (long) VALUE.getOpaque(values, i) + shared.get(i);
    }
}
