package io.vtbridge.pool;

import io.vtbridge.Priority;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded queue of tasks with two priority levels: one FIFO per {@link Priority}, one capacity
 * for both. Every hand-out ({@link #poll}, {@link #take}) returns the oldest {@link Priority#HIGH}
 * task if there is one, else the oldest {@link Priority#LOW} task, so a {@code LOW} task is never
 * handed out while a {@code HIGH} task is queued.
 *
 * <p>One {@link ReentrantLock} guards everything, with one {@link Condition} for takers that wait
 * for a task. Not {@code synchronized}: the callers are often virtual threads, and on JDK 21–23 a
 * virtual thread that blocks inside {@code synchronized} pins its carrier (here: a shard loop).
 * A virtual thread that offers, removes, polls or closes never queues for the lock either: it spins,
 * then yields, until it gets it (see {@link #lock()}: a bridged thread abandoned by a stopping shard
 * while queued in the lock would leave every later waiter of the lock waiting for ever). The takers
 * ({@link #take}) queue and wait as usual: they are the pools' platform workers.
 * Offers never block: a full queue refuses at once, which is the pool's backpressure.
 *
 * <p>A queue can be {@linkplain #close() closed}: it then refuses every offer, and takers drain
 * what is left and get {@code null} once it is empty. That is how a {@link WorkPool} shutting down
 * stops admission and lets its workers leave, in the same critical section as the offers it races.
 *
 * <p><b>Threading:</b> every method may be called from any thread, concurrently.
 */
public final class PriorityTaskQueue {

    /** What {@link #enqueue} did with a task. */
    public enum Offer {
        /** Queued, and a taker that waits in {@link #take} has been signalled for it. */
        QUEUED,
        /**
         * Queued, but more tasks are queued than takers wait: nobody idle will pick this one up
         * soon. A pool starts another worker, if it may.
         */
        QUEUED_NO_IDLE_TAKER,
        /** Refused: {@link #capacity()} tasks are already queued. */
        FULL,
        /** Refused: the queue is {@linkplain #close() closed}. */
        CLOSED;

        /** Whether the task was queued. */
        public boolean accepted() {
            return this == QUEUED || this == QUEUED_NO_IDLE_TAKER;
        }
    }

    private final int capacity;
    /** Tries of the lock a virtual thread spins through before it yields between tries ({@link #lock()}). */
    private static final int LOCK_SPINS = 64;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Runnable> high = new ArrayDeque<>(); // guarded by lock
    private final ArrayDeque<Runnable> low = new ArrayDeque<>();  // guarded by lock
    private int waitingTakers;                                    // guarded by lock: threads inside notEmpty.await
    private boolean closed;                                       // guarded by lock: false -> true, once

    /**
     * @param capacity the most tasks queued at once, both priorities together; at least 1
     */
    public PriorityTaskQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Queues {@code task} at {@code priority}, unless the queue is full or closed. Never blocks
     * beyond the lock.
     *
     * @return whether the task was queued
     * @throws NullPointerException if an argument is null
     */
    public boolean offer(Priority priority, Runnable task) {
        return enqueue(priority, task).accepted();
    }

    /**
     * As {@link #offer}, but says why a task was refused, and whether a waiting taker was there
     * for it: {@link Offer#QUEUED_NO_IDLE_TAKER} when, counting this task, more tasks are queued than
     * takers wait in {@link #take}. A taker that has been signalled but has not yet woken still
     * counts as waiting, so two quick offers against one waiting taker give {@code QUEUED}, then
     * {@code QUEUED_NO_IDLE_TAKER}.
     *
     * @throws NullPointerException if an argument is null
     */
    public Offer enqueue(Priority priority, Runnable task) {
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(task, "task");
        lock();
        try {
            if (closed) {
                return Offer.CLOSED;
            }
            int queued = high.size() + low.size();
            if (queued >= capacity) {
                return Offer.FULL;
            }
            (priority == Priority.HIGH ? high : low).addLast(task);
            notEmpty.signal();
            return queued + 1 > waitingTakers ? Offer.QUEUED_NO_IDLE_TAKER : Offer.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the oldest {@code HIGH} task, else the oldest {@code LOW} task, without waiting.
     *
     * @return the task, or {@code null} if the queue is empty
     */
    public Runnable poll() {
        lock();
        try {
            return pollLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next task as {@link #poll} does, waiting while the queue is empty and open.
     *
     * @return the task, or {@code null} once the queue is closed and empty
     * @throws InterruptedException if the calling thread is interrupted while it waits (or before);
     *                              no task is taken then
     */
    public Runnable take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (true) {
                Runnable task = pollLocked();
                if (task != null || closed) {
                    return task;
                }
                waitingTakers++;
                try {
                    notEmpty.await();
                } finally {
                    waitingTakers--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next task as {@link #poll} does, waiting up to {@code timeout} while the queue is
     * empty and open.
     *
     * @return the task, or {@code null} if none came in time, or once the queue is closed and empty
     * @throws InterruptedException if the calling thread is interrupted while it waits (or before);
     *                              no task is taken then
     */
    public Runnable take(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (true) {
                Runnable task = pollLocked();
                if (task != null || closed || nanos <= 0) {
                    return task;
                }
                waitingTakers++;
                try {
                    nanos = notEmpty.awaitNanos(nanos);
                } finally {
                    waitingTakers--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the lock for a call that does not wait for tasks. A virtual thread never queues for it:
     * it tries, spins a little, then yields between tries. A bridged thread queued in the lock is the
     * one the lock wakes when it is released; if its shard has stopped meanwhile (a shutdown whose
     * grace ran out abandons the bridged threads still waiting), that wake-up is dropped with the
     * shard's queue, and every thread queued behind it (the pool's workers, the closer in
     * {@link #close}) would wait for ever. A virtual thread dropped while it yields here holds
     * nothing and blocks nobody. The lock is held for a few hundred nanoseconds at a time and never
     * across a wait ({@link #take} releases it in {@code await}).
     */
    private void lock() {
        if (!Thread.currentThread().isVirtual()) {
            lock.lock();
            return;
        }
        for (int tries = 0; !lock.tryLock(); tries++) {
            if (tries < LOCK_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the holder may be a descheduled platform thread: let it run
            }
        }
    }

    private Runnable pollLocked() {
        assert lock.isHeldByCurrentThread();
        Runnable task = high.pollFirst();
        if (task == null) {
            task = low.pollFirst();
        }
        if (task != null && waitingTakers > 0 && !isEmptyLocked()) {
            // Pass the signal on: a taker that was signalled and then timed out or was interrupted
            // before it re-took the lock may have let a signal go unused while tasks remain.
            notEmpty.signal();
        }
        return task;
    }

    private boolean isEmptyLocked() {
        return high.isEmpty() && low.isEmpty();
    }

    /**
     * Removes {@code task} (compared by identity, not {@code equals}) if it is still queued, at
     * either priority.
     *
     * @return whether it was queued and is now removed; {@code false} if a taker got it first or it
     *         was never queued
     */
    public boolean remove(Runnable task) {
        if (task == null) {
            return false;
        }
        lock();
        try {
            return removeIdentical(high, task) || removeIdentical(low, task);
        } finally {
            lock.unlock();
        }
    }

    private static boolean removeIdentical(ArrayDeque<Runnable> queue, Runnable task) {
        for (Iterator<Runnable> it = queue.iterator(); it.hasNext(); ) {
            if (it.next() == task) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    /**
     * Removes every queued task.
     *
     * @return the tasks in hand-out order: the {@code HIGH} ones oldest first, then the {@code LOW} ones
     */
    public List<Runnable> drain() {
        lock();
        try {
            List<Runnable> all = new ArrayList<>(high.size() + low.size());
            all.addAll(high);
            all.addAll(low);
            high.clear();
            low.clear();
            return all;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses every later offer and wakes every waiting taker; takers then get what is left and
     * {@code null} once the queue is empty. Idempotent. Queued tasks stay queued.
     */
    public void close() {
        lock();
        try {
            closed = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** The number of queued tasks, both priorities: a snapshot. */
    public int size() {
        lock();
        try {
            return high.size() + low.size();
        } finally {
            lock.unlock();
        }
    }

    /** The number of queued tasks at {@code priority}: a snapshot. */
    public int size(Priority priority) {
        Objects.requireNonNull(priority, "priority");
        lock();
        try {
            return priority == Priority.HIGH ? high.size() : low.size();
        } finally {
            lock.unlock();
        }
    }

    /** The number of threads waiting in {@link #take} for a task: a snapshot. */
    public int waitingTakers() {
        lock();
        try {
            return waitingTakers;
        } finally {
            lock.unlock();
        }
    }

    /** The most tasks queued at once, both priorities together. */
    public int capacity() {
        return capacity;
    }

    @Override
    public String toString() {
        lock();
        try {
            return "PriorityTaskQueue[high=" + high.size() + ", low=" + low.size() + ", capacity=" + capacity
                    + (closed ? ", closed]" : "]");
        } finally {
            lock.unlock();
        }
    }
}
