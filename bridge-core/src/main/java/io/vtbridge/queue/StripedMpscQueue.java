package io.vtbridge.queue;

import io.vtbridge.internal.VarHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A multi-producer, single-consumer queue made of a few {@link MpscLinkedQueue}s ("stripes"),
 * polled round robin: FIFO within a stripe, fair between stripes. A producer picks its stripe
 * ({@link #offer(int, Object, long)}); when every producer keeps to one stripe, an element waits
 * behind at most one element of each other non-empty stripe per element of its own, however long
 * the other stripes are. The shard loop keeps new thread starts here, one stripe per submitting
 * thread (modulo the stripe count), so that one submitter's burst of thousands of tasks does not
 * queue another submitter's task behind all of it (a {@code ForkJoinPool}'s per-thread
 * submission queues serve the same end).
 *
 * <p><b>Threading:</b> {@link #offer} from any number of threads at once; {@link #poll},
 * {@link #polledStamp}, {@link #isEmpty} and {@link #drain} by the single consumer only, as for
 * {@link MpscLinkedQueue}.
 *
 * <p><b>Guarantees:</b> those of {@link MpscLinkedQueue} for each stripe: no element is lost or
 * duplicated, one producer's elements in one stripe are polled in the order it offered them;
 * {@link #isEmpty} counts an element whose producer is between its swap and its link as present.
 *
 * <p><b>Used stripes:</b> the consumer looks only at stripes that have ever had an offer
 * ({@link #usedStripes}): the first offer to a stripe sets its bit (a CAS, once per stripe), before
 * the element's own swap, so a consumer that reads the mask after its own volatile store and then
 * the stripes it names misses no element a Dekker-style re-check must see. A queue used by one
 * producer costs the consumer one poll per look, not one per stripe.
 *
 * @param <E> element type; {@code null} is not permitted
 */
public final class StripedMpscQueue<E> {

    private static final VarHandle USED = VarHandles.field(MethodHandles.lookup(), "used", long.class);

    private final MpscLinkedQueue<E>[] stripes;
    private final int mask;
    private volatile long used;  // bit i: stripe i has had an offer; set once per stripe by a producer's CAS
    private int cursor;        // consumer-owned: the stripe poll() tries first
    private long polledStamp;  // consumer-owned: the stamp of the element poll() returned last

    /**
     * Creates an empty queue of {@code stripes} stripes.
     *
     * @throws IllegalArgumentException if {@code stripes} is not a power of two between 1 and 64
     */
    @SuppressWarnings("unchecked")
    public StripedMpscQueue(int stripes) {
        if (stripes < 1 || stripes > 64 || Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes must be a power of two from 1 to 64, was " + stripes);
        }
        this.stripes = new MpscLinkedQueue[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new MpscLinkedQueue<>();
        }
        this.mask = stripes - 1;
    }

    /** The number of stripes. */
    public int stripes() {
        return stripes.length;
    }

    /**
     * Stripe {@code index & (stripes() - 1)} itself, for a consumer that serves the stripes its own
     * way (the shard loop gives each busy stripe a share of time per turn). Its consumer methods are
     * for this queue's consumer only; offers go through {@link #offer(int, Object, long)}.
     */
    public MpscLinkedQueue<E> stripe(int index) {
        return stripes[index & mask];
    }

    /**
     * Appends {@code e} with {@code stamp} to stripe {@code stripe & (stripes() - 1)}: a sequentially
     * consistent swap, as {@link MpscLinkedQueue#offer(Object, long)}. Wait-free; any thread.
     *
     * @throws NullPointerException if {@code e} is null
     */
    public void offer(int stripe, E e, long stamp) {
        int index = stripe & mask;
        long bit = 1L << index;
        if ((used & bit) == 0) {
            markUsed(bit);
        }
        stripes[index].offer(e, stamp);
    }

    private void markUsed(long bit) {
        long u;
        do {
            u = used;
            if ((u & bit) != 0) {
                return;
            }
        } while (!USED.compareAndSet(this, u, u | bit));
    }

    /**
     * The stripes that have ever had an offer, as a bit mask (bit {@code i}: stripe {@code i}); a
     * volatile load. The others are empty. Any thread.
     */
    public long usedStripes() {
        return used;
    }

    /**
     * Removes and returns the head element of the first non-empty stripe from the cursor on, and
     * moves the cursor past that stripe; {@code null} if no stripe has a linked element. Consumer only.
     */
    public E poll() {
        MpscLinkedQueue<E>[] s = stripes;
        int n = s.length;
        int c = cursor;
        long u = used;
        for (int i = 0; i < n; i++) {
            int index = (c + i) & mask;
            if ((u & (1L << index)) == 0) {
                continue;
            }
            MpscLinkedQueue<E> stripe = s[index];
            E e = stripe.poll();
            if (e != null) {
                polledStamp = stripe.polledStamp();
                cursor = (index + 1) & mask;
                return e;
            }
        }
        return null;
    }

    /** The stamp the element {@link #poll()} returned last was offered with (0 if none). Consumer only. */
    public long polledStamp() {
        return polledStamp;
    }

    /**
     * Whether every stripe is empty, elements in flight counted as present (a volatile load of the
     * used stripes, then one per used stripe, each ordered after the caller's preceding volatile
     * store). Consumer only.
     */
    public boolean isEmpty() {
        for (long u = used; u != 0; u &= u - 1) {
            if (!stripes[Long.numberOfTrailingZeros(u)].isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Removes every element, waiting out producers between their swap and their link, and returns
     * how many there were. For a consumer that stops: elements offered meanwhile may remain.
     * Consumer only.
     */
    public long drain() {
        long n = 0;
        for (MpscLinkedQueue<E> stripe : stripes) {
            while (!stripe.isEmpty()) {
                if (stripe.poll() != null) {
                    n++;
                } else {
                    Thread.onSpinWait(); // a producer between its swap and its link
                }
            }
        }
        return n;
    }
}
