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

    /** Stripes of the inbound queue and of the task inbox. */
    static final int INBOUND_STRIPES = 8;

    private static final AtomicInteger NEXT_STRIPE = new AtomicInteger();   // where the next platform thread's pick starts
    private static final ThreadLocal<Integer> STRIPE = new ThreadLocal<>(); // a platform thread's stripe, picked at its first submission

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
     * Offers a thread start to the inbound stripe of the calling thread ({@link #stripeFor}). Any thread.
     */
    void offerStart(Runnable continuation, long stamp) {
        offered.increment();
        inbound.offer(stripeFor(inbound), continuation, stamp);
    }

    /**
     * The stripe of the calling thread, for a submission to {@code queue}. A virtual thread's (a
     * bridged task submitting more work) follows from its id, without a thread-local of its own. A
     * platform thread keeps the stripe it is given at its first submission: the first one, from a
     * cursor that moves on with each pick, that is empty in {@code queue} then, else the cursor's.
     *
     * <p>Why empty first: a thread waits behind the earlier submissions of its own stripe, so one that
     * shares a stripe with a burst submitter waits for the burst, which striping exists to avoid.
     * Handed out round robin alone, stripes went on being given out after their threads had ended:
     * the ninth thread to submit shared the first one's stripe. In a server that starts a short-lived
     * thread now and then beside a long-lived one that submits in bursts (a ping thread beside a
     * request thread), that new thread sooner or later got the busy thread's stripe, and its one
     * trivial task waited behind a thousand starts (hundreds of milliseconds, with no loop stalled).
     * Looking for an empty stripe gives it a quiet one while any is quiet. Any thread.
     */
    static int stripeFor(StripedMpscQueue<?> queue) {
        Thread current = Thread.currentThread();
        if (current.isVirtual()) {
            return (int) ((current.threadId() * 0x9E3779B97F4A7C15L) >>> 32); // Fibonacci hashing: ids in a row spread
        }
        Integer stripe = STRIPE.get();
        if (stripe == null) {
            stripe = pickStripe(queue);
            STRIPE.set(stripe);
        }
        return stripe;
    }

    /** A platform thread's stripe: the first empty one in {@code queue} from the cursor on, else the cursor's. */
    private static int pickStripe(StripedMpscQueue<?> queue) {
        int n = queue.stripes();
        int start = NEXT_STRIPE.getAndIncrement();
        for (int i = 0; i < n; i++) {
            int candidate = (start + i) & (n - 1);
            if (queue.stripe(candidate).isEmpty()) {
                NEXT_STRIPE.set(candidate + 1); // racy, harmless: the next pick starts past this one
                return candidate;
            }
        }
        return start & (n - 1);
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
