package io.vtbridge.task;

import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A fixed-capacity table of in-flight items. Taking a slot is admission: when every slot is taken,
 * {@link #acquire} (or {@link #reserve}) fails at once instead of queueing, which is how a bridge bounds its in-flight
 * tasks. The table also lets a closing bridge visit every item still in flight.
 *
 * <p>Free slots form a lock-free stack (Treiber). Its top is one {@code long}: the low 32 bits hold
 * the slot index plus one (0: no free slot), the high 32 bits the number of pops so far (mod
 * 2<sup>32</sup>), so that a pop whose snapshot went stale (the classic ABA: the slot popped and
 * pushed back meanwhile) fails its CAS. A push keeps the count: to bring the top back to a slot a
 * stale pop saw, whatever was pushed above it must be popped first, which moves the count. The count
 * wraps after 2<sup>32</sup> pops; a thread would have to stall between its read and its CAS for all
 * of them to be fooled.
 *
 * <p><b>The count of slots taken</b> costs an acquirer nothing more: it is the pops (in the top) minus
 * the pushes (a counter the releasers add to before their push). Read in that order (the pushes first),
 * the difference never under-counts, so a drain that waits for zero never returns early.
 *
 * <p><b>Threading:</b> every method may be called from any thread. {@link #release} must be called
 * exactly once per successful {@link #acquire} or {@link #reserve}, by any thread. Any number of threads may wait in
 * {@link #awaitEmpty} at once.
 *
 * @param <T> item type
 */
public final class TaskTable<T> {

    /** The largest capacity accepted: 2<sup>24</sup> slots (about 200 MB of table at most). */
    public static final int MAX_CAPACITY = 1 << 24;

    private static final long INDEX_MASK = 0xFFFF_FFFFL;
    private static final long STAMP_UNIT = 1L << 32;

    private static final VarHandle TOP = VarHandles.field(MethodHandles.lookup(), "top", long.class);
    private static final VarHandle PUSHES = VarHandles.field(MethodHandles.lookup(), "pushes", int.class);
    private static final VarHandle WAITING = VarHandles.field(MethodHandles.lookup(), "waiting", int.class);

    private final AtomicReferenceArray<T> items;
    private final AtomicIntegerArray below; // below[i]: the free slot under i in the stack, plus one; written by the releaser before its push CAS, read by poppers after their load of top
    private final int capacity;

    private volatile long top;           // CAS by reserve (pop) and release (push)
    private volatile int pushes;         // slots returned so far (mod 2^32): getAndAdd by releasers before their push
    private volatile int waiting;        // getAndAdd by awaitEmpty() around its wait; read by the release() that empties the table
    private final ConcurrentLinkedQueue<Thread> drainWaiters = new ConcurrentLinkedQueue<>(); // added/removed by awaitEmpty(); walked by release() only while waiting != 0

    /**
     * @param capacity the number of slots, 1..{@link #MAX_CAPACITY}
     * @throws IllegalArgumentException if {@code capacity} is out of range, naming it
     */
    public TaskTable(int capacity) {
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "capacity must be in 1.." + MAX_CAPACITY + ", was " + capacity);
        }
        this.capacity = capacity;
        this.items = new AtomicReferenceArray<>(capacity);
        this.below = new AtomicIntegerArray(capacity);
        for (int i = 0; i < capacity - 1; i++) {
            below.lazySet(i, i + 2); // slot i + 1, encoded plus one
        }
        below.lazySet(capacity - 1, 0);
        top = 1; // slot 0, stamp 0; the volatile store publishes the links above
    }

    /**
     * Takes a free slot and stores {@code item} in it: {@link #reserve} then {@link #publish}.
     *
     * @return the slot, or {@code -1} if every slot is taken
     */
    public int acquire(T item) {
        int slot = reserve();
        if (slot >= 0) {
            publish(slot, item);
        }
        return slot;
    }

    /**
     * Takes a free slot without storing an item yet: it counts as taken ({@link #used}) at once, and
     * a walk ({@link #forEach}) sees nothing there until {@link #publish}. For a caller whose item
     * must know its slot before anyone can see the item. Pair with {@link #publish} or
     * {@link #release}.
     *
     * @return the slot, or {@code -1} if every slot is taken
     */
    public int reserve() {
        while (true) {
            long current = top;
            int encoded = (int) (current & INDEX_MASK);
            if (encoded == 0) {
                return -1;
            }
            int slot = encoded - 1;
            // Read after the volatile load of top: if top is unchanged at our CAS, no push or pop
            // happened in between, so this is the link the last push of `slot` wrote.
            int next = below.getPlain(slot);
            long replacement = ((current & ~INDEX_MASK) + STAMP_UNIT) | (next & INDEX_MASK);
            if (TOP.compareAndSet(this, current, replacement)) {
                return slot;
            }
        }
    }

    /**
     * Stores {@code item} in {@code slot}, taken by {@link #reserve}: a volatile store, so that a
     * closer that flips its state and then walks the table ({@link #forEach}) and a caller that
     * publishes here and then reads that state cannot both miss each other, and a walk that sees the
     * item sees everything the caller wrote to it before.
     */
    public void publish(int slot, T item) {
        items.set(slot, item);
    }

    /** Returns {@code slot} to the free stack. Exactly once per successful {@link #acquire} or {@link #reserve}. */
    public void release(int slot) {
        if (slot < 0 || slot >= capacity) {
            throw new IllegalArgumentException("slot must be in 0.." + (capacity - 1) + ", was " + slot);
        }
        items.set(slot, null);
        // Uncount before the push: a slot is counted only while it is off the free stack.
        int pushed = (int) PUSHES.getAndAdd(this, 1) + 1;
        while (true) {
            long current = top;
            // Plain store, ordered before the CAS below that publishes it; pairs with the
            // getPlain in reserve(), which follows that thread's volatile load of top.
            below.setPlain(slot, (int) (current & INDEX_MASK));
            long replacement = (current & ~INDEX_MASK) | (slot + 1); // a push keeps the pop count
            if (TOP.compareAndSet(this, current, replacement)) {
                break;
            }
        }
        wakeIfEmptied(pushed);
    }

    /**
     * After a release that brought the pushes to {@code pushed}: wakes the drain waiters if that left
     * the table empty. The load of waiting follows the count (both sequentially consistent): a waiter
     * that counted itself before is seen here; one that counts itself later reads zero itself. The
     * releaser whose count is the last one sees every other release in {@code pushed}. The common
     * case, nobody waiting, costs one load.
     */
    private void wakeIfEmptied(int pushed) {
        if (waiting != 0 && (int) (top >>> 32) == pushed) {
            wakeWaiters();
        }
    }

    /**
     * Returns {@code n} slots to the free stack at once: one push of the whole chain, one uncount. As
     * {@link #release} for each slot; for a thread that frees many (a shard loop frees the slots of
     * the tasks its runners ended, at the end of each step), so the table's line moves once per
     * batch, not once per task.
     *
     * @param slots the slots in {@code slots[0..n)}, each exactly once per successful {@link #acquire} or {@link #reserve}
     */
    public void releaseAll(int[] slots, int n) {
        if (n <= 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            int slot = slots[i];
            if (slot < 0 || slot >= capacity) {
                throw new IllegalArgumentException("slot must be in 0.." + (capacity - 1) + ", was " + slot);
            }
            items.setRelease(slot, null); // a walk that still sees the item visits an ended task: harmless
            if (i > 0) {
                below.setPlain(slots[i - 1], slot + 1); // the chain, published by the CAS below
            }
        }
        int pushed = (int) PUSHES.getAndAdd(this, n) + n;
        int last = slots[n - 1];
        while (true) {
            long current = top;
            below.setPlain(last, (int) (current & INDEX_MASK));
            long replacement = (current & ~INDEX_MASK) | (slots[0] + 1); // a push keeps the pop count
            if (TOP.compareAndSet(this, current, replacement)) {
                break;
            }
        }
        wakeIfEmptied(pushed);
    }

    /** Unparks every thread waiting in {@link #awaitEmpty}, so that it re-checks its conditions. */
    public void wakeWaiters() {
        for (Thread waiter : drainWaiters) {
            LockSupport.unpark(waiter);
        }
    }

    /** The item in {@code slot}, or {@code null}. */
    public T get(int slot) {
        return items.get(slot);
    }

    /** Calls {@code action} for every item present during the scan (a weakly consistent walk). */
    public void forEach(Consumer<? super T> action) {
        for (int i = 0; i < capacity; i++) {
            T item = items.get(i);
            if (item != null) {
                action.accept(item);
            }
        }
    }

    /**
     * The number of slots taken: a snapshot between 0 and the capacity. A {@link #reserve} counts
     * from its pop; a release counts as taken until the read, so a snapshot taken while releases run
     * may be a little high, never low.
     */
    public int used() {
        int returned = pushes; // first: read the other way round, a release in between could under-count
        int taken = (int) (top >>> 32) - returned;
        return Math.max(0, Math.min(capacity, taken));
    }

    /** The number of slots. */
    public int capacity() {
        return capacity;
    }

    /**
     * Waits until {@link #used()} reads 0, at most {@code timeout}. An {@link #acquire} in progress
     * may not be counted yet, so a caller that must not miss it makes acquirers re-check a state
     * that the caller changed before waiting (as {@code Bridge} does with its open/closed state).
     *
     * @return {@code true} if the table became empty, {@code false} on timeout
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public boolean awaitEmpty(long timeout, TimeUnit unit) throws InterruptedException {
        return awaitEmpty(timeout, unit, () -> false);
    }

    /**
     * As {@link #awaitEmpty(long, TimeUnit)}, but also gives up (returning {@code false}) once
     * {@code giveUp} answers true; it is asked at the start and after every wake-up, so whoever
     * makes it true should then call {@link #wakeWaiters()}.
     */
    public boolean awaitEmpty(long timeout, TimeUnit unit, BooleanSupplier giveUp) throws InterruptedException {
        // Clamped so that the deadline arithmetic cannot overflow (about 73 years).
        long deadline = System.nanoTime() + Math.min(unit.toNanos(timeout), Long.MAX_VALUE >> 2);
        Thread self = Thread.currentThread();
        drainWaiters.add(self);
        WAITING.getAndAdd(this, 1); // ordered before the loads of used below; see release()
        try {
            while (used() != 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (giveUp.getAsBoolean()) {
                    return false;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, remaining);
            }
            return true;
        } finally {
            WAITING.getAndAdd(this, -1);
            drainWaiters.remove(self);
        }
    }
}
