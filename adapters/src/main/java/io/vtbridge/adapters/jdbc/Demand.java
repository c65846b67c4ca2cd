package io.vtbridge.adapters.jdbc;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A stream's demand and the hand-off between its subscriber and its producer: the subscriber adds
 * demand ({@link #request}) or ends it ({@link #cancel}, and {@link #close} from the owning
 * {@link AsyncJdbc}); the producer, one bridged thread, waits while there is none ({@link #await}),
 * parked, so its virtual thread unmounts and its shard serves others.
 *
 * <p><b>No lost wake-up.</b> The producer publishes itself as the waiter (a volatile store), then
 * reads the demand and the signal (volatile loads) and parks only if both are empty. A subscriber
 * writes the demand or the signal (an atomic update), then reads the waiter (a volatile load) and
 * unparks it. All four are sequentially consistent, so at least one side sees the other's write:
 * either the producer sees the new demand and does not park, or the subscriber sees the waiter and
 * unparks it (a permit given before the park makes the park return at once). jcstress:
 * {@code DemandTest}.
 *
 * <p>Demand saturates at {@code Long.MAX_VALUE} (effectively unbounded, Reactive Streams rule 3.17).
 * Signals: the first one set wins and stays ({@link #NONE} until then).
 *
 * <p><b>Threading:</b> {@link #request}, {@link #cancel} and {@link #close} from any thread;
 * {@link #await}, {@link #prepareToWait}, {@link #doneWaiting} and {@link #consume} from the producer
 * only.
 */
final class Demand {

    /** No signal: the stream goes on while there is demand. */
    static final int NONE = 0;
    /** The subscriber cancelled. */
    static final int CANCELLED = 1;
    /** The owning {@link AsyncJdbc} closed. */
    static final int CLOSED = 2;
    /** The subscriber requested a non-positive number (rule 3.9): see {@link #invalidRequest()}. */
    static final int INVALID = 3;

    private final AtomicLong requested = new AtomicLong();    // requested and not yet consumed; added by subscribers, subtracted by the producer
    private final AtomicInteger signal = new AtomicInteger(); // NONE, then the first of CANCELLED, CLOSED, INVALID (CAS from NONE)
    private volatile Thread waiter;                           // the producer while it may park; written by it, read by the signalling side
    private volatile long invalidRequest;                     // the bad n of an INVALID signal; written before the CAS that publishes it

    /**
     * Adds {@code n} to the demand (saturating), or sets {@link #INVALID} for {@code n <= 0}; wakes
     * the producer.
     *
     * @return whether a waiting producer was seen and unparked
     */
    boolean request(long n) {
        if (n <= 0) {
            invalidRequest = n;
            return signal(INVALID);
        }
        requested.getAndUpdate(r -> r + n < 0 ? Long.MAX_VALUE : r + n); // r + n < 0: overflow past Long.MAX_VALUE
        return wake();
    }

    /** Sets {@link #CANCELLED} (unless another signal came first) and wakes the producer. */
    boolean cancel() {
        return signal(CANCELLED);
    }

    /** Sets {@link #CLOSED} (unless another signal came first) and wakes the producer. */
    boolean close() {
        return signal(CLOSED);
    }

    private boolean signal(int s) {
        signal.compareAndSet(NONE, s);
        return wake();
    }

    private boolean wake() {
        Thread w = waiter; // after the update of requested or signal: the other half of the handshake
        if (w != null) {
            LockSupport.unpark(w);
            return true;
        }
        return false;
    }

    /**
     * Waits, parked, until there is demand or a signal.
     *
     * @return the demand (positive), or {@code 0} if a signal is set (read it with {@link #signal()})
     * @throws InterruptedException if the producer is interrupted while waiting
     */
    long await() throws InterruptedException {
        try {
            while (true) {
                long available = prepareToWait();
                if (available != 0) {
                    return Math.max(available, 0);
                }
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for demand");
                }
            }
        } finally {
            doneWaiting();
        }
    }

    /**
     * The non-parking half of {@link #await}: publishes the calling thread as the waiter, then reads
     * the signal and the demand. Package-private for the jcstress test.
     *
     * @return the demand if positive, {@code -1} if a signal is set, {@code 0} if the caller may park
     */
    long prepareToWait() {
        waiter = Thread.currentThread(); // before the loads below: see the class comment
        if (signal.get() != NONE) {
            return -1;
        }
        return requested.get();
    }

    /** Withdraws the waiter after {@link #prepareToWait} (no more unparks needed). */
    void doneWaiting() {
        waiter = null;
    }

    /** Takes one delivered row off the demand. */
    void consume() {
        requested.decrementAndGet();
    }

    /** The demand now: a snapshot. */
    long requested() {
        return requested.get();
    }

    /** {@link #NONE}, or the first signal set. */
    int signal() {
        return signal.get();
    }

    /** The non-positive {@code n} that set {@link #INVALID}. */
    long invalidRequest() {
        return invalidRequest;
    }
}
