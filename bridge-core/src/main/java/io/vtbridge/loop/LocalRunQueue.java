package io.vtbridge.loop;

import java.util.Arrays;

/**
 * The loop's local run queue: continuations made runnable on the loop's own thread, each with the
 * time it became runnable (its stamp), in a ring of two parallel arrays that grows by doubling. An
 * {@code ArrayDeque} with a second column; no node, no atomic instruction, no allocation but the
 * doubling.
 *
 * <p>Unbounded for the same reason as the cross-thread queues: a virtual thread has at most one
 * pending continuation, so the length never exceeds the shard's live threads.
 *
 * <p><b>Threading:</b> loop-owned: only the thread that owns the loop (the loop, or a virtual
 * thread it carries) calls any method.
 */
final class LocalRunQueue {

    private Runnable[] continuations = new Runnable[256];
    private long[] stamps = new long[256];
    private int head;           // index of the first element
    private int size;
    private long polledStamp;   // the stamp of the element pollFirst() returned last

    void addLast(Runnable continuation, long stamp) {
        if (size == continuations.length) {
            grow();
        }
        int at = (head + size) & (continuations.length - 1);
        continuations[at] = continuation;
        stamps[at] = stamp;
        size++;
    }

    void addFirst(Runnable continuation, long stamp) {
        if (size == continuations.length) {
            grow();
        }
        head = (head - 1) & (continuations.length - 1);
        continuations[head] = continuation;
        stamps[head] = stamp;
        size++;
    }

    /** The first continuation, or null; its stamp is then {@link #polledStamp()}. */
    Runnable pollFirst() {
        if (size == 0) {
            return null;
        }
        Runnable c = continuations[head];
        continuations[head] = null;
        polledStamp = stamps[head];
        head = (head + 1) & (continuations.length - 1);
        size--;
        return c;
    }

    long polledStamp() {
        return polledStamp;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Empties the queue (the loop has stopped) and returns how many continuations it held. */
    int clear() {
        int n = size;
        Arrays.fill(continuations, null);
        head = 0;
        size = 0;
        return n;
    }

    private void grow() {
        int n = continuations.length;
        Runnable[] c = new Runnable[n * 2];
        long[] s = new long[n * 2];
        for (int i = 0; i < size; i++) {
            int from = (head + i) & (n - 1);
            c[i] = continuations[from];
            s[i] = stamps[from];
        }
        continuations = c;
        stamps = s;
        head = 0;
    }
}
