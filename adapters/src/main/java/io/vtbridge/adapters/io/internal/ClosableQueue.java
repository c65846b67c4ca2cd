package io.vtbridge.adapters.io.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A FIFO that can be closed once: after {@link #close()} returns, no {@link #offer} succeeds, and
 * every element an {@code offer} accepted is either taken by {@link #poll()} / {@link #take()} or in
 * the list {@code close()} returned, never both, never neither. {@link #refuseOffers()} closes it to
 * offers only: what it holds stays for {@code poll}, {@code take} and a later {@code close()}. The two
 * queues of a process channel: requests waiting for the writer, and requests at a child waiting for
 * their responses.
 *
 * <p>Unbounded: the channel bounds what reaches it with {@link Slots}.
 *
 * <p><b>Threading:</b> every method may be called from any thread, bridged virtual threads
 * included. One {@link ReentrantLock} guards the deque and the closed flag, held only for a few
 * field updates (a virtual thread waiting for it unmounts); {@link #take()} waits on its condition.
 */
public final class ClosableQueue<E> {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmptyOrClosed = lock.newCondition();
    private final ArrayDeque<E> elements = new ArrayDeque<>(); // guarded by lock
    private boolean closed;                                    // guarded by lock: offers refused

    /** An empty, open queue. */
    public ClosableQueue() {
    }

    /**
     * Appends {@code e} unless the queue is closed.
     *
     * @return true if {@code e} was added; false if the queue is closed (it was not)
     */
    public boolean offer(E e) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            elements.addLast(e);
            notEmptyOrClosed.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The head, removed, or null if the queue is empty (open or closed). */
    public E poll() {
        lock.lock();
        try {
            return elements.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The head, removed, waiting until there is one; null once the queue is closed and empty.
     *
     * @throws InterruptedException if the calling thread is interrupted while it waits
     */
    public E take() throws InterruptedException {
        lock.lock();
        try {
            while (elements.isEmpty() && !closed) {
                notEmptyOrClosed.await();
            }
            return elements.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the queue holds no element now. */
    public boolean isEmpty() {
        lock.lock();
        try {
            return elements.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Elements now. */
    public int size() {
        lock.lock();
        try {
            return elements.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the queue to offers but keeps what it holds: later offers are refused, {@link #poll()}
     * and {@link #take()} still hand out the elements ({@code take} returns null once it is empty),
     * and a later {@link #close()} returns what is left.
     */
    public void refuseOffers() {
        lock.lock();
        try {
            closed = true;
            notEmptyOrClosed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close()} or {@link #refuseOffers()} has run. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the queue and removes what it holds: later offers are refused, and a thread in
     * {@link #take()} returns null. A second close returns an empty list (or what was left after
     * {@link #refuseOffers()}: the first close after it returns those).
     *
     * @return the elements that were in the queue, in order
     */
    public List<E> close() {
        lock.lock();
        try {
            closed = true;
            List<E> left = new ArrayList<>(elements);
            elements.clear();
            notEmptyOrClosed.signalAll();
            return left;
        } finally {
            lock.unlock();
        }
    }
}
