package io.vtbridge.adapters.io.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-flight bound of a process channel: a request takes a slot when it is accepted and gives it
 * back when it leaves the channel (see {@link Exchange#release()}), so at most {@link #capacity()}
 * requests are queued or at the child at any time.
 *
 * <p><b>Threading:</b> any thread; {@link #tryAcquire()} is a CAS loop that never passes the
 * capacity (a refused caller never raised the count, so it cannot make a concurrent caller fail).
 */
public final class Slots {

    private final int capacity;
    private final AtomicInteger used = new AtomicInteger(); // CAS by acquirers, decremented by releasers

    /**
     * @param capacity the most slots taken at once
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public Slots(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    /** Takes a slot if one is free. */
    public boolean tryAcquire() {
        for (int seen = used.get(); seen < capacity; seen = used.get()) {
            if (used.compareAndSet(seen, seen + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives a slot back; called once per successful {@link #tryAcquire()} (through {@link Exchange#release()}). */
    public void release() {
        int left = used.decrementAndGet();
        assert left >= 0 : "more slots released than taken";
    }

    /** Slots taken now. */
    public int used() {
        return used.get();
    }

    /** The bound. */
    public int capacity() {
        return capacity;
    }
}
