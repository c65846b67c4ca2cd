package io.vtbridge;

import io.vtbridge.sync.ExclusiveSync;
import io.vtbridge.sync.LockCondition;
import io.vtbridge.sync.QueuedSync;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A reentrant mutual-exclusion {@link Lock} that knows the bridge: a contended waiter in bridged
 * code suspends (its virtual thread unmounts and the shard's loop runs other work), and
 * {@link #unlock()} hands the lock directly to the longest waiting thread and resumes it on its own
 * shard.
 *
 * <ul>
 *   <li><b>Uncontended</b>: {@link #lock()} is one CAS, no suspend (a REQUEST LOCK event and one
 *       unit of the coop budget in bridged code; a thread that has spent its budget yields first,
 *       see {@link BridgeBuilder#coopBudget}). {@link #tryLock()} never yields.</li>
 *   <li><b>Contended</b>: the thread queues (FIFO) and parks; REQUEST, SUSPEND, RESUME. New lockers
 *       do not barge past queued ones, so no waiter starves.</li>
 *   <li><b>Hand-off</b>: the unlocking thread makes the first waiter the owner and unparks it. A
 *       waiter on the unlocker's shard resumes through that loop's local run queue (no atomic
 *       instruction); one on another shard through that shard's queue of cross-thread resumes; a platform thread by
 *       a plain unpark. The lock's own word is shared by every thread that uses the lock, so it is a
 *       CAS however it is reached.</li>
 *   <li><b>Timeouts</b> ({@link #tryLock(long, TimeUnit)}) are timers on the waiter's own loop.</li>
 *   <li>From a plain platform thread it works as any lock: it blocks that thread.</li>
 * </ul>
 *
 * <p><b>Shard-affine mode</b> ({@link #shardAffine()}): for a lock whose users all run on one shard
 * (every one submitted with the same key, say). Its first user binds it to the carrier of its shard's
 * loop; while only threads on that carrier use it, {@code lock}, {@code unlock} and the hand-off
 * take the queue's guard and write the lock word without a CAS (one fenced store per operation, so
 * that a switch can see it). The first use by any other thread (a bridged thread of another shard,
 * a platform thread, a hog moved to the CPU pool, a thread on the fresh carrier after a HAND_OFF)
 * switches the lock, for good, to the ordinary mode: that thread waits until no home thread is
 * inside an operation, then everything goes on with CAS, no waiter, grant or wake-up lost.
 * {@link #isShardAffine()} tells which mode it is in. {@link #getQueueLength()}, {@link #isLocked()}
 * and {@link #hasQueuedThreads()} from another thread are snapshots and do not switch it.
 *
 * <p>A pinned virtual thread (in a class initialiser or a native frame; inside {@code synchronized}
 * on JDK 21–23) cannot unmount: if it must wait, it blocks its carrier, i.e. the whole shard, and if
 * the owner runs on that same shard, the two deadlock, as with {@code ReentrantLock}. Do not take a
 * contended lock while pinned.
 *
 * <p><b>Threading:</b> thread-safe. {@link #unlock()} and the {@link Condition} methods must be
 * called by the owner ({@link IllegalMonitorStateException} otherwise).
 */
public final class BridgeLock implements Lock {

    private final ExclusiveSync sync;

    /** An unlocked lock, in the ordinary (shared) mode. */
    public BridgeLock() {
        this.sync = new ExclusiveSync(false);
    }

    private BridgeLock(boolean shardAffine) {
        this.sync = new ExclusiveSync(shardAffine);
    }

    /**
     * An unlocked lock in the shard-affine mode: cheaper hand-offs while every user runs on one
     * shard, and a switch to the ordinary mode, for good, at the first use from anywhere else (see
     * the class comment).
     */
    public static BridgeLock shardAffine() {
        return new BridgeLock(true);
    }

    /**
     * Whether this lock is in the shard-affine mode: created by {@link #shardAffine()} and not yet
     * switched by a use from off its shard. A snapshot.
     */
    public boolean isShardAffine() {
        return sync.isShardAffine();
    }

    /** Acquires the lock, waiting (suspended, in bridged code) as long as needed. */
    @Override
    public void lock() {
        if (sync.reenter()) {
            return;
        }
        try {
            sync.acquireExclusive(false, NO_TIMEOUT);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible); // not interruptible
        }
        sync.setHolds(1);
    }

    /**
     * Acquires the lock unless the thread is interrupted first; a waiter that is interrupted
     * withdraws from the queue. (An interrupt that races the hand-off may lose: the thread then
     * returns owning the lock, with its interrupt status set.)
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException(); // first, as ReentrantLock does: also for a re-entrant call
        }
        if (sync.reenter()) {
            return;
        }
        sync.acquireExclusive(true, NO_TIMEOUT);
        sync.setHolds(1);
    }

    /**
     * Acquires the lock only if it is free and nobody is queued for it (no barging past waiters,
     * unlike {@code ReentrantLock.tryLock()}). Never suspends, never yields.
     */
    @Override
    public boolean tryLock() {
        if (sync.reenter()) {
            return true;
        }
        try {
            if (!sync.acquireExclusive(false, 0L)) {
                return false;
            }
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
        sync.setHolds(1);
        return true;
    }

    /**
     * Acquires the lock if it becomes free within {@code timeout}. In bridged code the timeout is a
     * timer on the waiter's loop.
     *
     * @throws NullPointerException if {@code unit} is null
     */
    @Override
    public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = Objects.requireNonNull(unit, "unit").toNanos(timeout);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (sync.reenter()) {
            return true;
        }
        if (!sync.acquireExclusive(true, Math.max(0L, nanos))) {
            return false;
        }
        sync.setHolds(1);
        return true;
    }

    /**
     * Releases one hold; the last one hands the lock to the first queued thread, if any.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    @Override
    public void unlock() {
        sync.release();
    }

    /** A {@link Condition} of this lock (FIFO signalling; timed waits on loop timers in bridged code). */
    @Override
    public Condition newCondition() {
        return new LockCondition(new LockCondition.Owner() {
            @Override
            public int fullyRelease() {
                return sync.fullyRelease();
            }

            @Override
            public void restore(int holds) {
                sync.setHolds(holds);
            }

            @Override
            public boolean isHeldByCurrentThread() {
                return BridgeLock.this.isHeldByCurrentThread();
            }

            @Override
            public QueuedSync sync() {
                return sync;
            }
        });
    }

    /** Whether the current thread holds this lock. */
    public boolean isHeldByCurrentThread() {
        return sync.owner() == Thread.currentThread();
    }

    /** Whether any thread holds this lock: a snapshot, for monitoring. */
    public boolean isLocked() {
        return sync.owner() != null;
    }

    /** The current thread's holds (0 if it does not own the lock). */
    public int getHoldCount() {
        return isHeldByCurrentThread() ? sync.holds() : 0;
    }

    /** Whether any thread is queued for this lock. */
    public boolean hasQueuedThreads() {
        return sync.hasQueuedThreads();
    }

    /** How many threads are queued for this lock: a snapshot, for monitoring. */
    public int getQueueLength() {
        return sync.queueLength();
    }

    @Override
    public String toString() {
        Thread o = sync.owner();
        return super.toString() + (o == null ? "[Unlocked]" : "[Locked by thread " + o.getName() + "#" + o.threadId() + "]");
    }

    private static final long NO_TIMEOUT = -1;
}
