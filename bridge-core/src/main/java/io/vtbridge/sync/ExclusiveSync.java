package io.vtbridge.sync;

import io.vtbridge.internal.StressHook;
import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The lock word and wait queue of {@code io.vtbridge.BridgeLock}: an owner thread, its hold count,
 * and direct hand-off to the first queued waiter.
 *
 * <pre>
 *   owner transitions                  by whom
 *   null  -> T        CAS              a fast-path locker T, or a grant under the guard
 *   T     -> null     volatile store   T's last unlock, with nobody queued
 *   T     -> null -> W                 T's last unlock under the guard, granting waiter W
 * </pre>
 * In the shard-affine mode every transition is made under the guard's affine form, with plain
 * stores: the lock-free paths (the fast-path CAS, the unguarded unlock) are taken only once the sync
 * is shared ({@link #sharedMode()}), so a foreign thread switches it before it touches the word.
 *
 * <p><b>Threading:</b> thread-safe; {@link #holds()}, {@link #setHolds}, {@link #reenter()} and the
 * releases are for the owner only.
 *
 * <p><b>Not API</b>: public for {@code io.vtbridge} and the jcstress tests.
 */
public final class ExclusiveSync extends QueuedSync {

    private static final VarHandle OWNER = VarHandles.field(MethodHandles.lookup(), "owner", Thread.class);

    private volatile Thread owner; // see the table above
    private int holds;             // owner-only; published to the next owner with the release of owner

    /** A lock in the shared mode only. */
    public ExclusiveSync() {
        super(false);
    }

    /** @param shardAffine whether it starts in the shard-affine mode (see {@link QueuedSync}) */
    public ExclusiveSync(boolean shardAffine) {
        super(shardAffine);
    }

    /** The owner, or {@code null}: a snapshot. */
    public Thread owner() {
        return owner;
    }

    /** The owner's hold count. Owner only. */
    public int holds() {
        return holds;
    }

    /** Sets the owner's hold count (after an acquire: 1; after a condition wait: the saved count). Owner only. */
    public void setHolds(int holds) {
        this.holds = holds;
    }

    /** A re-entrant acquire by the owner: one more hold. Returns {@code false} if the caller is not the owner. */
    public boolean reenter() {
        if (owner == Thread.currentThread()) {
            if (holds == Integer.MAX_VALUE) {
                throw new Error("Maximum lock count exceeded");
            }
            holds++;
            return true;
        }
        return false;
    }

    /**
     * Acquires for the current thread (not re-entrant: call {@link #reenter()} first).
     *
     * @param timeoutNanos {@link #NO_TIMEOUT}, 0 for "only if free and nobody queued", or the longest wait
     */
    public boolean acquireExclusive(boolean interruptible, long timeoutNanos) throws InterruptedException {
        return acquire(false, 1, interruptible, timeoutNanos);
    }

    @Override
    protected boolean tryFastPath(boolean shared, int arg) {
        return sharedMode() && !hasQueuedThreads() && OWNER.compareAndSet(this, null, Thread.currentThread());
    }

    @Override
    protected boolean tryGrant(Thread thread, boolean shared, int arg) {
        if (guardIsAffine()) {
            if (owner != null) {
                return false;
            }
            OWNER.set(this, thread); // plain: the home carrier alone touches the word until a switch, which reads busy after it
            return true;
        }
        return OWNER.compareAndSet(this, null, thread);
    }

    /**
     * Releases one hold of the current thread; the last one hands the lock on.
     *
     * @throws IllegalMonitorStateException if the current thread is not the owner
     */
    public void release() {
        checkOwner();
        if (--holds == 0) {
            releaseFully();
            StressHook.point("UNLOCK", this); // a stress run may switch threads here
        }
    }

    /** Releases every hold of the current thread (for a condition wait) and returns how many there were. */
    public int fullyRelease() {
        checkOwner();
        int saved = holds;
        holds = 0;
        releaseFully();
        return saved;
    }

    private void checkOwner() {
        Thread me = Thread.currentThread();
        if (owner != me) {
            throw new IllegalMonitorStateException("BridgeLock not held by " + me + " (owner: " + owner + ")");
        }
    }

    private void releaseFully() {
        if (!hasQueuedThreads() && sharedMode()) {
            // Nobody queued: free the lock without the guard. A waiter that queues at this moment
            // writes head (volatile) before its re-check grants from the queue (a CAS of owner),
            // and we read head after our volatile store of null: one of us sees the other (Dekker),
            // so either the waiter's re-check finds the lock free or we grant below.
            OWNER.setVolatile(this, null);
            if (!hasQueuedThreads()) {
                return;
            }
            lockGuard();
        } else {
            lockGuard();
            if (guardIsAffine()) {
                OWNER.set(this, null); // plain: see tryGrant
            } else {
                OWNER.setVolatile(this, null);
            }
        }
        Waiter granted = grantWaiters();
        unlockGuard();
        wake(granted, null);
    }
}
