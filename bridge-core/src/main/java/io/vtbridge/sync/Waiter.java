package io.vtbridge.sync;

import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread waiting in a {@link QueuedSync}: for the lock itself, or (before a signal) on a
 * condition of it.
 *
 * <pre>
 *   status transitions                        by whom
 *   CONDITION -> WAITING     signal()          the lock holder: CAS, then enqueued under the guard
 *   CONDITION -> CANCELLED   timeout/interrupt the waiter itself: CAS (it then acquires anew)
 *   WAITING   -> GRANTED     a release         under the guard: the waiter left the queue owning it
 *   WAITING   -> CANCELLED   timeout/interrupt under the guard: the waiter left the queue without it
 * </pre>
 *
 * <p><b>Threading:</b> {@code status} is read by the waiting thread without the guard (it is
 * volatile: a waiter that sees GRANTED also sees what the granter wrote before it); the links are
 * touched only under the owning {@link QueuedSync}'s guard.
 */
public final class Waiter {

    static final int WAITING = 0;
    static final int GRANTED = 1;
    static final int CANCELLED = 2;
    static final int CONDITION = 3;

    private static final VarHandle STATUS = VarHandles.field(MethodHandles.lookup(), "status", int.class);

    final Thread thread;
    final boolean shared;   // a shared (read) request, or an exclusive one
    final int arg;          // what it asks for: permits, or 1

    volatile int status;    // see the table above
    Waiter prev;            // guarded: the wait queue
    Waiter next;            // guarded: the wait queue
    Waiter wakeNext;        // guarded: the chain of waiters one release granted, unparked after the guard is let go

    Waiter(Thread thread, boolean shared, int arg, int status) {
        this.thread = thread;
        this.shared = shared;
        this.arg = arg;
        this.status = status;
    }

    /** Whether this waiter was granted what it asked for. Any thread. */
    public boolean isGranted() {
        return status == GRANTED;
    }

    /** Whether this waiter gave up (timeout or interrupt) without it. Any thread. */
    public boolean isCancelled() {
        return status == CANCELLED;
    }

    /**
     * Under the guard: sets the status, with a volatile store in the shared mode, a release store in
     * the affine form (no Dekker pair needs the fence there); either pairs with the waiter's volatile
     * read of {@code status}.
     */
    void setStatus(int next, boolean affine) {
        if (affine) {
            STATUS.setRelease(this, next);
        } else {
            status = next;
        }
    }

    boolean casStatus(int expected, int next) {
        return STATUS.compareAndSet(this, expected, next);
    }
}
