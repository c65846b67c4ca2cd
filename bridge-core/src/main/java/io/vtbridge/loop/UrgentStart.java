package io.vtbridge.loop;

import io.vtbridge.internal.VarHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A latency-lane start waiting in a loop's urgent queue, which either the loop or the lane's rescuer
 * runs, never both: the loop when it reaches it, the rescuer when the loop has not reached it by
 * {@link #deadline()} because it is held by a long mount. Whoever wins {@link #claim()} runs the
 * continuation; the loser drops its reference.
 * <pre>
 *   WAITING -> CLAIMED   claim(): the loop, before it mounts it, or the rescuer, before it runs
 *                        it off the loop (CAS; exactly one of them wins)
 * </pre>
 * The jcstress {@code UrgentStartClaimTest} checks that exactly one side runs it.
 *
 * <p><b>Threading:</b> made by the thread that starts the task; {@link #claim()} from the loop and
 * the rescuer (the bridge's lane thread, or the watchdog's backup); the getters from any thread.
 */
public final class UrgentStart implements Runnable {

    private static final int WAITING = 0;
    private static final int CLAIMED = 1;
    private static final VarHandle STATE = VarHandles.field(MethodHandles.lookup(), "state", int.class);

    private final Runnable continuation;
    private final long deadline;
    private volatile int state; // WAITING -> CLAIMED, once, by CAS in claim()

    /**
     * @param continuation the start's continuation
     * @param deadline     the {@link System#nanoTime()} after which the rescuer may take it
     */
    public UrgentStart(Runnable continuation, long deadline) {
        this.continuation = continuation;
        this.deadline = deadline;
    }

    /** Claims the start for the caller; true for exactly one caller. */
    public boolean claim() {
        return state == WAITING && STATE.compareAndSet(this, WAITING, CLAIMED);
    }

    /** Whether someone has claimed it. */
    public boolean isClaimed() {
        return state != WAITING;
    }

    /** The continuation to run once claimed. */
    public Runnable continuation() {
        return continuation;
    }

    /** When the rescuer may take it. */
    public long deadline() {
        return deadline;
    }

    /** Runs the continuation if this call claims it (for a caller that has no other use for the claim). */
    @Override
    public void run() {
        if (claim()) {
            continuation.run();
        }
    }
}
