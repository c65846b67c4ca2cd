package io.vtbridge.timer;

import java.util.Arrays;

/**
 * A binary min-heap of {@link Timer}s ordered by deadline, with O(log n) add, remove and fire.
 * Deadlines are {@link System#nanoTime()} values, compared by difference so that the wrap-around of
 * the clock is harmless.
 *
 * <p><b>Threading:</b> loop-owned. Every method must be called by the thread that currently owns the
 * loop; other threads reach timers only through the loop's inbound queue.
 */
public final class TimerQueue {

    /** Returned by {@link #nextDeadline()} when no timer is queued (never a valid deadline). */
    public static final long NONE = Long.MIN_VALUE;

    private Timer[] heap = new Timer[64];
    private int size;

    /** Adds {@code timer}, which must not be queued already. */
    public void add(Timer timer) {
        if (timer.heapIndex >= 0) {
            throw new IllegalStateException("timer is already queued: " + timer);
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        timer.heapIndex = size;
        heap[size] = timer;
        size++;
        siftUp(size - 1);
    }

    /**
     * Removes {@code timer} if it is queued here.
     *
     * @return whether it was removed (false if it already fired or was never added)
     */
    public boolean remove(Timer timer) {
        int i = timer.heapIndex;
        if (i < 0 || i >= size || heap[i] != timer) {
            return false;
        }
        removeAt(i);
        return true;
    }

    /** The earliest deadline, or {@link #NONE}. */
    public long nextDeadline() {
        return size == 0 ? NONE : heap[0].deadline;
    }

    /** The number of queued timers. */
    public int size() {
        return size;
    }

    /**
     * Removes and expires every timer whose deadline is at or before {@code now}, at most
     * {@code limit} of them.
     *
     * @return how many timers fired
     */
    public int fireDue(long now, int limit) {
        int fired = 0;
        while (size > 0 && fired < limit && heap[0].deadline - now <= 0) {
            Timer due = heap[0];
            removeAt(0);
            fired++;
            due.expire();
        }
        return fired;
    }

    private void removeAt(int i) {
        Timer removed = heap[i];
        removed.heapIndex = -1;
        size--;
        if (i == size) {
            heap[size] = null;
            return;
        }
        Timer moved = heap[size];
        heap[size] = null;
        heap[i] = moved;
        moved.heapIndex = i;
        siftDown(i);
        if (heap[i] == moved) {
            siftUp(i);
        }
    }

    private void siftUp(int i) {
        Timer timer = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer above = heap[parent];
            if (timer.deadline - above.deadline >= 0) {
                break;
            }
            heap[i] = above;
            above.heapIndex = i;
            i = parent;
        }
        heap[i] = timer;
        timer.heapIndex = i;
    }

    private void siftDown(int i) {
        Timer timer = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].deadline - heap[child].deadline < 0) {
                child = right;
            }
            Timer below = heap[child];
            if (timer.deadline - below.deadline <= 0) {
                break;
            }
            heap[i] = below;
            below.heapIndex = i;
            i = child;
        }
        heap[i] = timer;
        timer.heapIndex = i;
    }
}
