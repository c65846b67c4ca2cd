package io.vtbridge.adapters.jdbc;

import io.vtbridge.BridgeSemaphore;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound on the connections one {@link AsyncJdbc} holds at once, and its closing. A call
 * {@link #tryEnter enters} before it asks the {@code DataSource} for a connection and {@link #exit
 * exits} after it has closed that connection, so at most {@code maxConnections} calls are between
 * the two. A call beyond the bound waits for a permit of a {@link BridgeSemaphore}: in bridged code
 * its virtual thread unmounts (no thread is held), and a released permit goes straight to the
 * longest waiter (FIFO).
 *
 * <p><b>State.</b> One {@code int}: bit 31 is CLOSED, the low bits count the calls inside (a permit
 * taken and the CLOSED check passed).
 * <pre>
 * tryEnter  permit acquired, then getAndIncrement;        CLOSED was set -> decrement, exit, refuse
 * exit      decrementAndGet, then release the permit;     result == CLOSED -> terminated
 * close     getAndUpdate(| CLOSED), first caller only:    release FLOOD permits; count was 0 -> terminated
 * </pre>
 * The flood wakes every waiter at once (the semaphore grants FIFO until it runs out), and each one
 * refuses itself: the release of the flood happens after the CLOSED bit is set, and the grant of a
 * flood permit happens after that release (both under the semaphore's guard), so whoever enters with
 * a flood permit sees CLOSED. A call that saw no CLOSED incremented the count before the bit was set,
 * so it holds a real permit and {@code close} sees it inside. Hence: before {@code close}, at most
 * {@code maxConnections} calls inside; after it, no new call stays inside; and {@link #terminated()}
 * completes once, when the last call that got in before {@code close} exits (jcstress:
 * {@code ConnectionGateTest}).
 *
 * <p><b>Threading:</b> thread-safe; {@link #exit()} exactly once per {@link #ENTERED} result, from any
 * thread.
 */
final class ConnectionGate {

    /** {@link #tryEnter}: the call is inside and must {@link #exit()}. */
    static final int ENTERED = 0;
    /** {@link #tryEnter}: no permit within the timeout; nothing to undo. */
    static final int TIMED_OUT = 1;
    /** {@link #tryEnter}: the gate is closed; nothing to undo. */
    static final int CLOSED = 2;

    private static final int CLOSED_BIT = 1 << 31;
    /** Permits released by {@link #close()}: more than there can ever be waiters, far from overflow. */
    private static final int FLOOD = Integer.MAX_VALUE / 2;

    private final BridgeSemaphore permits;
    private final int maxConnections;
    private final AtomicInteger state = new AtomicInteger();          // CLOSED_BIT | calls inside; volatile semantics (see the table)
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    /**
     * @param maxConnections the bound; positive (the builder checked it)
     */
    ConnectionGate(int maxConnections) {
        this.permits = new BridgeSemaphore(maxConnections);
        this.maxConnections = maxConnections;
    }

    /**
     * Takes a permit, waiting up to {@code timeoutNanos} ({@code 0}: only if one is free now, and
     * nobody is queued).
     *
     * @return {@link #ENTERED}, {@link #TIMED_OUT} or {@link #CLOSED}
     * @throws InterruptedException if the thread is interrupted while waiting (nothing to undo)
     */
    int tryEnter(long timeoutNanos) throws InterruptedException {
        if (isClosed()) {
            return CLOSED;
        }
        if (!permits.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
            return TIMED_OUT;
        }
        if ((state.getAndIncrement() & CLOSED_BIT) != 0) { // the increment before the check: see the table
            exit();
            return CLOSED;
        }
        return ENTERED;
    }

    /** Leaves after an {@link #ENTERED}: the permit goes back (to the longest waiter, if any). */
    void exit() {
        int after = state.decrementAndGet();
        permits.release();
        if (after == CLOSED_BIT) {
            terminated.complete(null);
        }
    }

    /**
     * Closes the gate: every later {@link #tryEnter}, and every one waiting now, returns
     * {@link #CLOSED}. Idempotent.
     *
     * @return whether this call closed it
     */
    boolean close() {
        int before = state.getAndUpdate(s -> s | CLOSED_BIT);
        if ((before & CLOSED_BIT) != 0) {
            return false;
        }
        permits.release(FLOOD); // after the bit: a waiter granted one of these sees CLOSED
        if (before == 0) {
            terminated.complete(null);
        }
        return true;
    }

    /** Whether {@link #close()} has been called. */
    boolean isClosed() {
        return (state.get() & CLOSED_BIT) != 0;
    }

    /** Calls inside now (holding a permit): a snapshot. */
    int inside() {
        return state.get() & ~CLOSED_BIT;
    }

    /**
     * Permits taken now: the calls inside, and the waiters a released permit has gone to that have
     * not run yet to enter (the semaphore hands a permit straight to the longest waiter, whose thread
     * may still wait for its loop). A snapshot, at most the bound; after {@link #close()}, the calls
     * inside.
     */
    int granted() {
        if (isClosed()) {
            return inside();
        }
        return Math.max(0, Math.min(maxConnections, maxConnections - permits.availablePermits()));
    }

    /** Calls waiting for a permit now: a snapshot. */
    int waiting() {
        return permits.getQueueLength();
    }

    /** Completes when the gate is closed and every call that entered before has exited. */
    CompletableFuture<Void> terminated() {
        return terminated;
    }
}
