package io.vtbridge.loop;

import io.vtbridge.queue.MpscLinkedQueue;
import io.vtbridge.queue.StripedMpscQueue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the continuations of one loop wait to be mounted, one queue per source, so that the loop's
 * turn ({@link LoopTurn}) can serve the sources in its own order and share:
 * <ul>
 *   <li>{@link #urgent}: starts of threads submitted to the latency lane
 *       ({@code submit(Priority.HIGH, ...)}) from other threads, each wrapped in an
 *       {@link UrgentStart} that the loop claims before it mounts it: served first, and between the
 *       other sources' mounts;</li>
 *   <li>{@link #local}: resumes issued on the loop's own thread (the loop, or a virtual thread it
 *       carries): no atomics;</li>
 *   <li>{@link #resumes}: resumes of this loop's threads issued by other threads (a lock hand-off
 *       from another shard, a completion, a socket wake-up): work the shard already runs;</li>
 *   <li>{@link #expiries}: resumes issued by the JDK's timer thread (JDK 25: timed waits, and timed
 *       parks armed off the loop's owner);</li>
 *   <li>{@link #inbound}: starts of new virtual threads from other threads: new work, in one
 *       stripe per submitting thread ({@link #offerStart}), served round robin, so that a
 *       submission waits behind at most one start of each other busy submitter at a time, not
 *       behind another submitter's whole burst.</li>
 * </ul>
 * Every continuation carries a stamp: when it became runnable ({@link System#nanoTime()}, or the
 * loop's latest clock reading on the loop's own thread), or 0 when delays are not measured.
 *
 * <p><b>Threading:</b> {@link #local} only on the loop's owner; the four MPSC queues take offers
 * from any thread ({@link #offer}, {@link #offerStart}) and are polled by the owner only.
 */
final class RunQueues {

    /** Stripes of the inbound queue: distinct for the first eight platform threads that submit. */
    static final int INBOUND_STRIPES = 8;

    private static final AtomicInteger NEXT_STRIPE = new AtomicInteger();
    private static final ThreadLocal<Integer> STRIPE = ThreadLocal.withInitial(NEXT_STRIPE::getAndIncrement);

    final LocalRunQueue local = new LocalRunQueue();                    // loop-owned
    final MpscLinkedQueue<Runnable> urgent = new MpscLinkedQueue<>();   // latency-lane starts from any thread; loop polls
    final MpscLinkedQueue<Runnable> resumes = new MpscLinkedQueue<>();  // other threads' resumes of this loop's threads; loop polls
    final MpscLinkedQueue<Runnable> expiries = new MpscLinkedQueue<>(); // the JDK's timer thread offers; loop polls
    final StripedMpscQueue<Runnable> inbound = new StripedMpscQueue<>(INBOUND_STRIPES); // thread starts from other threads; loop polls
    private final LongAdder offered = new LongAdder();                  // offers to the four MPSC queues, for their depth

    /** Offers {@code continuation} to one of the MPSC queues: a sequentially consistent swap. Any thread. */
    void offer(MpscLinkedQueue<Runnable> queue, Runnable continuation, long stamp) {
        offered.increment();
        queue.offer(continuation, stamp);
    }

    /**
     * Offers a thread start to the inbound stripe of the calling thread: a platform thread's stripe
     * is given out round robin at its first submission (so up to eight submitters never share one);
     * a virtual thread's (a bridged task submitting more work) follows from its id, without a
     * thread-local of its own. Any thread.
     */
    void offerStart(Runnable continuation, long stamp) {
        offered.increment();
        inbound.offer(stripeOfCurrentThread(), continuation, stamp);
    }

    /**
     * The inbound stripe of the calling thread: the next one round robin at a platform thread's first
     * submission, one spread from the id of a virtual thread. Any thread.
     */
    static int stripeOfCurrentThread() {
        Thread current = Thread.currentThread();
        return current.isVirtual()
                ? (int) ((current.threadId() * 0x9E3779B97F4A7C15L) >>> 32) // Fibonacci hashing: ids in a row spread
                : STRIPE.get();
    }

    /** Offers so far to the MPSC queues. Any thread. */
    long offered() {
        return offered.sum();
    }

    /** Whether every queue is empty. On the owner (it reads {@link #local}). */
    boolean allEmpty() {
        return urgent.isEmpty() && inbound.isEmpty() && expiries.isEmpty() && resumes.isEmpty() && local.isEmpty();
    }

    /** Empties every queue (the loop has stopped: none of these will ever run) and returns how many were left. Owner. */
    long clear() {
        return local.clear() + drain(urgent) + inbound.drain() + drain(expiries) + drain(resumes);
    }

    private static long drain(MpscLinkedQueue<Runnable> queue) {
        long n = 0;
        while (!queue.isEmpty()) {
            if (queue.poll() != null) {
                n++;
            } else {
                Thread.onSpinWait(); // a producer between its swap and its link
            }
        }
        return n;
    }
}
