package io.vtbridge.adapters.io.internal;

import io.vtbridge.internal.VarHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One stream call handed to the bridge's blocking pool, raced by the pool thread that would run it
 * and the caller that stops waiting for it (interrupted): exactly one of them wins, so the caller
 * knows whether the call can still touch the stream after it gave up.
 *
 * <p>States, changed only by the CAS helpers below:
 * <pre>
 *   QUEUED  -> RUNNING    the pool thread, in {@link #start()}: it may run the call
 *   QUEUED  -> ABANDONED  the caller, in {@link #abandon()}: the call never runs
 *   RUNNING -> DONE       the pool thread, in {@link #finish()}, whatever the call did
 *   ABANDONED, DONE       final
 * </pre>
 * {@link #abandon()} returning false therefore means the call started and may still be running;
 * {@link #isRunning()} says until when.
 *
 * <p><b>Threading:</b> {@link #start()} and {@link #finish()} are the pool thread's,
 * {@link #abandon()} the caller's, {@link #isRunning()} anyone's. Access modes: {@code compareAndSet}
 * for the two claims (sequentially consistent), a release store for {@link #finish()}, paired with
 * the acquire load of {@link #isRunning()}: a caller that sees the call ended also sees everything
 * it did to the stream.
 */
public final class PooledCall {

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;
    private static final int DONE = 3;

    private static final VarHandle STATE = VarHandles.field(MethodHandles.lookup(), "state", int.class);

    private volatile int state = QUEUED; // QUEUED | RUNNING | ABANDONED | DONE; see the table above

    /** A call not yet started nor abandoned. */
    public PooledCall() {
    }

    /** The pool thread's claim: true if the call may run (it was not abandoned first). */
    public boolean start() {
        return STATE.compareAndSet(this, QUEUED, RUNNING);
    }

    /** The pool thread, after a started call returned or threw. */
    public void finish() {
        STATE.setRelease(this, DONE); // pairs with the getAcquire in isRunning()
    }

    /** The caller's claim: true if the call will never run; false if it has started (it may still run). */
    public boolean abandon() {
        return STATE.compareAndSet(this, QUEUED, ABANDONED);
    }

    /** Whether the call has started and not yet finished. */
    public boolean isRunning() {
        return (int) STATE.getAcquire(this) == RUNNING; // pairs with the setRelease in finish()
    }

    @Override
    public String toString() {
        return "PooledCall[" + switch (state) {
            case QUEUED -> "queued";
            case RUNNING -> "running";
            case ABANDONED -> "abandoned";
            default -> "done";
        } + "]";
    }
}
