package io.vtbridge;

import io.vtbridge.sync.LockCondition;
import io.vtbridge.sync.QueuedSync;
import io.vtbridge.sync.SharedExclusiveSync;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * A reentrant shared/exclusive lock that knows the bridge (the locking of Ganeti masterd 2.2's job
 * queue: per-job locks, shared readers, waiters that hold no thread). Waiters in bridged code suspend; a release hands the lock directly
 * to the next waiter (a writer, or every reader queued before the next writer) and resumes them on
 * their own shards.
 *
 * <ul>
 *   <li><b>A waiting writer is not starved by readers:</b> a new reader is let in at once only if
 *       no writer holds the lock and nobody is queued; otherwise it queues behind the writer.</li>
 *   <li><b>Re-entrant:</b> both locks; a writer may take the read lock (downgrade: take the read
 *       lock, then release the write lock). A reader asking for the write lock (upgrade) gets an
 *       {@link IllegalStateException} from {@code lock()}/{@code lockInterruptibly()}, not the
 *       deadlock it would be; {@code tryLock()} and {@code tryLock(t)} return {@code false}.</li>
 *   <li>Only the write lock has conditions.</li>
 *   <li>Timed waits in bridged code are timers on the waiter's loop; from a platform thread it
 *       blocks that thread.</li>
 * </ul>
 *
 * <p>Events: REQUEST LOCK for each acquire (not for a re-entrant write acquire); SUSPEND and RESUME
 * LOCK when it had to wait.
 *
 * <p><b>Threading:</b> thread-safe; a lock is released by the thread that holds it.
 */
public final class BridgeReadWriteLock implements ReadWriteLock {

    private static final long NO_TIMEOUT = -1;

    private final SharedExclusiveSync sync = new SharedExclusiveSync();
    private final ReadLock readLock = new ReadLock();
    private final WriteLock writeLock = new WriteLock();

    /** An unlocked lock. */
    public BridgeReadWriteLock() {
    }

    @Override
    public Lock readLock() {
        return readLock;
    }

    @Override
    public Lock writeLock() {
        return writeLock;
    }

    /** Read holds of all threads: a snapshot. */
    public int getReadLockCount() {
        return sync.readers();
    }

    /** Whether some thread holds the write lock: a snapshot. */
    public boolean isWriteLocked() {
        return sync.writer() != null;
    }

    /** Whether the current thread holds the write lock. */
    public boolean isWriteLockedByCurrentThread() {
        return sync.writer() == Thread.currentThread();
    }

    /** The current thread's read holds. */
    public int getReadHoldCount() {
        return sync.readHoldsOfCurrentThread();
    }

    /** The current thread's write holds. */
    public int getWriteHoldCount() {
        return sync.writeHoldsOfCurrentThread();
    }

    /** How many threads are queued: a snapshot. */
    public int getQueueLength() {
        return sync.queueLength();
    }

    @Override
    public String toString() {
        Thread w = sync.writer();
        return super.toString() + "[Write locks = " + (w == null ? 0 : 1) + ", Read locks = " + sync.readers() + "]";
    }

    /** The shared half. */
    private final class ReadLock implements Lock {
        @Override
        public void lock() {
            try {
                sync.acquireShared(false, NO_TIMEOUT);
            } catch (InterruptedException impossible) {
                throw new AssertionError(impossible);
            }
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            sync.acquireShared(true, NO_TIMEOUT);
        }

        @Override
        public boolean tryLock() {
            try {
                return sync.acquireShared(false, 0L);
            } catch (InterruptedException impossible) {
                throw new AssertionError(impossible);
            }
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            return sync.acquireShared(true, Math.max(0L, Objects.requireNonNull(unit, "unit").toNanos(time)));
        }

        @Override
        public void unlock() {
            sync.releaseShared();
        }

        /** @throws UnsupportedOperationException always: read locks have no conditions */
        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("a read lock has no conditions; use the write lock's");
        }
    }

    /** The exclusive half. */
    private final class WriteLock implements Lock {
        @Override
        public void lock() {
            try {
                sync.acquireExclusive(false, NO_TIMEOUT);
            } catch (InterruptedException impossible) {
                throw new AssertionError(impossible);
            }
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            sync.acquireExclusive(true, NO_TIMEOUT);
        }

        @Override
        public boolean tryLock() {
            try {
                return sync.acquireExclusive(false, 0L);
            } catch (InterruptedException impossible) {
                throw new AssertionError(impossible);
            }
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            return sync.acquireExclusive(true, Math.max(0L, Objects.requireNonNull(unit, "unit").toNanos(time)));
        }

        @Override
        public void unlock() {
            sync.releaseExclusive();
        }

        @Override
        public Condition newCondition() {
            return new LockCondition(new LockCondition.Owner() {
                @Override
                public int fullyRelease() {
                    return sync.fullyReleaseExclusive();
                }

                @Override
                public void restore(int holds) {
                    sync.restoreExclusive(holds);
                }

                @Override
                public boolean isHeldByCurrentThread() {
                    return sync.writer() == Thread.currentThread();
                }

                @Override
                public QueuedSync sync() {
                    return sync;
                }
            });
        }
    }
}
