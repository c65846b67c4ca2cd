package io.vtbridge;

import io.vtbridge.internal.StressHook;
import io.vtbridge.internal.VarHandles;
import io.vtbridge.sync.QueuedSync;
import io.vtbridge.sync.Waiter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore that knows the bridge: a thread that must wait for permits suspends (in
 * bridged code its virtual thread unmounts and the loop runs other work), and {@link #release}
 * hands the permits directly to the waiters at the head of the queue and resumes them on their own
 * shards.
 *
 * <p>Strictly FIFO: a request is served only when every earlier one has been, so a large request is
 * not starved by a stream of small ones (and small ones wait behind it). {@link #tryAcquire()} does
 * not barge either: it takes permits only if nobody is queued (unlike
 * {@link java.util.concurrent.Semaphore#tryAcquire()}). Timed waits in bridged code are timers on the
 * waiter's loop. From a plain platform thread it blocks that thread.
 *
 * <p>Events: REQUEST LOCK for each acquire; SUSPEND and RESUME LOCK when it had to wait.
 *
 * <p><b>Shard-affine mode</b> ({@link #shardAffine(int)}): as {@link BridgeLock#shardAffine()}:
 * while every user runs on the carrier of one shard's loop, acquires and releases take the queue's
 * guard without a CAS; the first acquire or release from anywhere else switches the semaphore, for
 * good, to the ordinary mode, with no permit created or lost. {@link #availablePermits()},
 * {@link #getQueueLength()} and {@link #hasQueuedThreads()} from elsewhere are snapshots that do not
 * switch it.
 *
 * <p><b>Threading:</b> thread-safe. Any thread may release, also one that acquired nothing (as with
 * {@code java.util.concurrent.Semaphore}).
 */
public final class BridgeSemaphore {

    private final Sync sync;

    /**
     * @param permits the initial permits; zero or positive
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public BridgeSemaphore(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must not be negative, was " + permits);
        }
        this.sync = new Sync(permits, false);
    }

    private BridgeSemaphore(int permits, boolean shardAffine) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must not be negative, was " + permits);
        }
        this.sync = new Sync(permits, shardAffine);
    }

    /**
     * A semaphore in the shard-affine mode (see the class comment).
     *
     * @param permits the initial permits; zero or positive
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public static BridgeSemaphore shardAffine(int permits) {
        return new BridgeSemaphore(permits, true);
    }

    /** Whether this semaphore is in the shard-affine mode: created so and not yet switched. A snapshot. */
    public boolean isShardAffine() {
        return sync.isShardAffine();
    }

    /** Acquires one permit, waiting as long as needed; interruptible. */
    public void acquire() throws InterruptedException {
        acquire(1);
    }

    /**
     * Acquires {@code permits} at once (all or nothing), waiting as long as needed; interruptible.
     * A waiter that is interrupted withdraws from the queue.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public void acquire(int permits) throws InterruptedException {
        sync.acquirePermits(check(permits), true, NO_TIMEOUT);
    }

    /** Acquires one permit, waiting as long as needed, ignoring interrupts (the status is kept). */
    public void acquireUninterruptibly() {
        acquireUninterruptibly(1);
    }

    /** Acquires {@code permits}, waiting as long as needed, ignoring interrupts (the status is kept). */
    public void acquireUninterruptibly(int permits) {
        try {
            sync.acquirePermits(check(permits), false, NO_TIMEOUT);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Takes one permit if one is available and nobody is queued. */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /** Takes {@code permits} if they are available and nobody is queued. */
    public boolean tryAcquire(int permits) {
        try {
            return sync.acquirePermits(check(permits), false, 0L);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Acquires one permit if it becomes available within {@code timeout}. */
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(1, timeout, unit);
    }

    /**
     * Acquires {@code permits} if they become available (and every earlier request has been served)
     * within {@code timeout}. In bridged code the timeout is a timer on the waiter's loop.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     * @throws NullPointerException     if {@code unit} is null
     */
    public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = Objects.requireNonNull(unit, "unit").toNanos(timeout);
        return sync.acquirePermits(check(permits), true, Math.max(0L, nanos));
    }

    /** Releases one permit. */
    public void release() {
        release(1);
    }

    /**
     * Releases {@code permits}, handing them to queued waiters in FIFO order.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     * @throws Error                    if the count would exceed {@code Integer.MAX_VALUE}
     */
    public void release(int permits) {
        sync.releasePermits(check(permits));
    }

    /** The permits available now: a snapshot. */
    public int availablePermits() {
        return sync.permits;
    }

    /** Takes every available permit (if nobody is queued) and returns how many. */
    public int drainPermits() {
        return sync.drain();
    }

    /** Whether any thread is queued. */
    public boolean hasQueuedThreads() {
        return sync.hasQueuedThreads();
    }

    /** How many threads are queued: a snapshot. */
    public int getQueueLength() {
        return sync.queueLength();
    }

    @Override
    public String toString() {
        return super.toString() + "[Permits = " + sync.permits + "]";
    }

    private static int check(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must not be negative, was " + permits);
        }
        return permits;
    }

    private static final long NO_TIMEOUT = -1;

    private static final class Sync extends QueuedSync {
        private static final VarHandle PERMITS = VarHandles.field(MethodHandles.lookup(), "permits", int.class);

        volatile int permits; // release stores under the guard; volatile reads without it by availablePermits() (pairs with them)

        Sync(int permits, boolean shardAffine) {
            super(shardAffine);
            this.permits = permits;
        }

        boolean acquirePermits(int n, boolean interruptible, long timeoutNanos) throws InterruptedException {
            return acquire(false, n, interruptible, timeoutNanos);
        }

        @Override
        protected boolean tryGrant(Thread thread, boolean shared, int arg) {
            int p = permits;
            if (p < arg) {
                return false;
            }
            PERMITS.setRelease(this, p - arg);
            return true;
        }

        @Override
        protected String requestName() {
            return "REQUEST ACQUIRE";
        }

        void releasePermits(int n) {
            lockGuard();
            int p = permits;
            if (p + n < p) {
                unlockGuard();
                throw new Error("Maximum permit count exceeded: " + p + " available, " + n + " released");
            }
            PERMITS.setRelease(this, p + n);
            Waiter granted = grantWaiters();
            unlockGuard();
            wake(granted, null);
            StressHook.point("RELEASE", this);
        }

        int drain() {
            lockGuard();
            int p = hasQueuedThreads() ? 0 : permits;
            PERMITS.setRelease(this, permits - p);
            unlockGuard();
            return p;
        }
    }
}
