package io.vtbridge.sync;

import io.vtbridge.internal.StressHook;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.monitor.EventKind;

import java.util.ArrayDeque;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A {@link Condition} of a {@link QueuedSync}-based exclusive lock.
 *
 * <p>{@code await} puts a {@link Waiter} (status CONDITION) on this condition's FIFO, releases the
 * lock fully, and parks. {@code signal} moves the first waiter to the lock's queue (CONDITION →
 * WAITING): it stays parked until the lock is handed to it, so a signalled thread wakes up once,
 * owning the lock. A waiter that times out or is interrupted before it is signalled cancels itself
 * (CONDITION → CANCELLED, a CAS that races the signaller's), then acquires the lock as any locker;
 * its dead entry is removed from the FIFO once it holds the lock again. Timed waits in bridged code
 * are timers on the waiter's loop.
 *
 * <p><b>Threading:</b> every method must be called by the lock's owner; the FIFO is guarded by the
 * lock itself.
 */
public final class LockCondition implements Condition {

    /** What the condition needs from its lock. */
    public interface Owner {
        /**
         * Releases every hold of the current thread (it must own the lock); returns how many. May
         * refuse with an exception, having released nothing.
         */
        int fullyRelease();

        /** Restores the holds of the current thread, which owns the lock again. */
        void restore(int holds);

        /** Whether the current thread owns the lock. */
        boolean isHeldByCurrentThread();

        /** The lock's queue. */
        QueuedSync sync();
    }

    private final Owner lock;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by the lock

    public LockCondition(Owner lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    @Override
    public void await() throws InterruptedException {
        awaitNanos(true, QueuedSync.NO_TIMEOUT);
    }

    @Override
    public void awaitUninterruptibly() {
        try {
            awaitNanos(false, QueuedSync.NO_TIMEOUT);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        return awaitNanos(true, Math.max(0L, nanosTimeout));
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return awaitNanos(true, Math.max(0L, unit.toNanos(time))) > 0;
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        long until = deadline.getTime();
        long now = System.currentTimeMillis();
        // Compared before subtracted: a deadline long past (Long.MIN_VALUE) would overflow the difference.
        long millis = until <= now ? 0L : until - now;
        return awaitNanos(true, TimeUnit.MILLISECONDS.toNanos(millis)) > 0;
    }

    @Override
    public void signal() {
        checkOwner();
        Waiter w;
        while ((w = waiters.pollFirst()) != null) {
            if (lock.sync().transfer(w)) {
                break;
            } // else it cancelled itself: try the next one
        }
        StressHook.point("SIGNAL", this);
    }

    @Override
    public void signalAll() {
        checkOwner();
        Waiter w;
        while ((w = waiters.pollFirst()) != null) {
            lock.sync().transfer(w);
        }
        StressHook.point("SIGNAL", this);
    }

    /** How many threads wait on this condition: a snapshot. Owner only. */
    public int waitQueueLength() {
        checkOwner();
        int n = 0;
        for (Waiter w : waiters) {
            if (w.status == Waiter.CONDITION) {
                n++;
            }
        }
        return n;
    }

    /**
     * The wait. Returns the nanoseconds left (positive when signalled in time; for an untimed wait,
     * {@code Long.MAX_VALUE}).
     */
    private long awaitNanos(boolean interruptible, long timeoutNanos) throws InterruptedException {
        checkOwner();
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        boolean timed = timeoutNanos >= 0;
        ShardLoop loop = ShardLoop.current();
        StressHook stress = timed && loop == null ? StressHook.current() : null; // a stress run's virtual clock
        long deadline = timed ? QueuedSync.nanoTime(stress) + Math.min(timeoutNanos, ShardLoop.MAX_DELAY_NANOS) : 0L;
        if (loop != null) {
            loop.events().request(EventKind.LOCK);
        }
        Thread me = Thread.currentThread();
        Waiter waiter = new Waiter(me, false, 1, Waiter.CONDITION);
        waiters.addLast(waiter);
        int holds;
        try {
            holds = lock.fullyRelease();
        } catch (RuntimeException | Error refused) {
            // Refused before anything was released (the read-write lock's write side, held with a
            // read hold too): the caller still owns the lock, and so this FIFO. No waiter may stay
            // behind, or a later signal would be spent on it and hand the lock to this thread. (An
            // error after the release leaves the FIFO alone: it is the new owner's now.)
            if (lock.isHeldByCurrentThread()) {
                waiters.removeLastOccurrence(waiter);
            }
            throw refused;
        }
        try {
            // The release's guard may have yielded, and another shard may have taken the thread: the
            // loop that carries it now, not the one it waited on before.
            loop = ShardLoop.current();
            boolean loopTimer = timed && timeoutNanos > 0 && loop != null && !loop.services().currentThreadIsPinned();
            QueuedSync.WakeTimer timer = null;
            boolean interruptedBeforeSignal = false;
            boolean interruptedAfter = false;
            boolean cancelled = false;
            try {
                while (waiter.status == Waiter.CONDITION) {
                    if (timed) {
                        long remaining = deadline - QueuedSync.nanoTime(stress);
                        if (remaining <= 0) {
                            cancelled = waiter.casStatus(Waiter.CONDITION, Waiter.CANCELLED);
                            break;
                        }
                        if (loopTimer && timer == null) {
                            timer = new QueuedSync.WakeTimer(deadline, me);
                            loop.services().addTimer(timer);
                        }
                        if (stress != null) {
                            stress.parkUntil(deadline, this);
                        } else {
                            QueuedSync.park(loop, loopTimer ? 0L : remaining, this);
                        }
                    } else {
                        QueuedSync.park(loop, 0L, this);
                    }
                    if (Thread.interrupted()) {
                        if (interruptible && waiter.casStatus(Waiter.CONDITION, Waiter.CANCELLED)) {
                            interruptedBeforeSignal = true;
                            cancelled = true;
                            break;
                        }
                        interruptedAfter = true; // signalled first (or uninterruptible): keep the interrupt for later
                    }
                }
            } finally {
                if (timer != null) {
                    loop.services().removeTimer(timer);
                }
            }
            // Own the lock again, whatever happened.
            if (cancelled) {
                try {
                    lock.sync().acquire(false, 1, false, QueuedSync.NO_TIMEOUT);
                } catch (InterruptedException impossible) {
                    throw new AssertionError(impossible);
                }
                waiters.remove(waiter); // we hold the lock: the FIFO is ours to edit
            } else {
                interruptedAfter |= lock.sync().awaitTransferred(waiter, loop);
            }
            if (interruptedBeforeSignal) {
                throw new InterruptedException();
            }
            if (interruptedAfter) {
                me.interrupt();
            }
            if (!timed) {
                return Long.MAX_VALUE;
            }
            long left = deadline - QueuedSync.nanoTime(stress);
            return cancelled ? Math.min(left, 0L) : Math.max(left, 1L);
        } finally {
            try {
                if (!lock.isHeldByCurrentThread()) {
                    // Something unexpected was thrown (an Error) between the release and the
                    // re-acquire: leave owning the lock all the same, with the waiter off both
                    // queues, as every return and the InterruptedException do; otherwise a later
                    // signal would hand the lock to a thread that has left.
                    reown(waiter);
                }
            } finally {
                if (lock.isHeldByCurrentThread()) {
                    lock.restore(holds);
                }
            }
        }
    }

    /** After an unexpected throwable in the wait: owns the lock again, uninterruptibly, whatever state the waiter is in. */
    private void reown(Waiter waiter) {
        if (waiter.status == Waiter.CANCELLED || waiter.casStatus(Waiter.CONDITION, Waiter.CANCELLED)) {
            try {
                lock.sync().acquire(false, 1, false, QueuedSync.NO_TIMEOUT);
            } catch (InterruptedException impossible) {
                throw new AssertionError(impossible);
            }
            waiters.remove(waiter); // owned now: the FIFO is ours to edit (it may be gone already)
        } else if (lock.sync().awaitTransferred(waiter, ShardLoop.current())) { // signalled: queued for the lock, or granted
            Thread.currentThread().interrupt();
        }
    }

    private void checkOwner() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("condition used by " + Thread.currentThread()
                    + ", which does not hold its lock");
        }
    }
}
