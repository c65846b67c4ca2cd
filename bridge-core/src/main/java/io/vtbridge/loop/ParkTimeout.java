package io.vtbridge.loop;

import io.vtbridge.internal.VarHandles;
import io.vtbridge.timer.Timer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A timed park's expiry on a loop's timer heap, and the future the JDK holds to cancel it
 * ({@link ForkJoinPoolFacade#schedule(Runnable, long, TimeUnit)}): the loop fires it with
 * {@link #expire()}, the JDK cancels it with {@link #cancel(boolean)} when the parked thread resumes
 * before the deadline. One CAS on {@code state} decides which of the two wins, so the JDK's expiry
 * task runs only if no cancel came first, and a cancel reports {@code true} only if the task never
 * runs.
 *
 * <p><b>Threading:</b> armed on the loop's owner only (the facade sends a park armed elsewhere to
 * the pool's delay scheduler), and fired by the loop. The JDK cancels it on the thread that runs the
 * parked thread's continuation next: the owner, or, when the thread was moved off its loop as a hog,
 * a CPU worker, which races the loop's expiry. The CAS keeps the decision single there, and the
 * removal from the heap takes the loop's cross-thread path (the {@code remover}). jcstress:
 * {@code ParkTimeoutTest}.
 */
public final class ParkTimeout extends Timer implements ScheduledFuture<Object> {

    private static final VarHandle STATE = VarHandles.field(MethodHandles.lookup(), "state", int.class);
    private static final int ARMED = 0;
    private static final int FIRED = 1;
    private static final int CANCELLED = 2;

    private final Runnable expiry;
    private final Consumer<? super ParkTimeout> remover;
    private volatile int state; // ARMED -> FIRED (expire) or ARMED -> CANCELLED (cancel), once, by CAS

    /**
     * @param deadline the {@link System#nanoTime()} value at which it is due
     * @param expiry   what the JDK runs at the deadline (an unpark)
     * @param remover  takes this timer off its loop's heap after a successful cancel
     */
    public ParkTimeout(long deadline, Runnable expiry, Consumer<? super ParkTimeout> remover) {
        super(deadline);
        this.expiry = Objects.requireNonNull(expiry, "expiry");
        this.remover = Objects.requireNonNull(remover, "remover");
    }

    /** Runs the JDK's expiry task, unless a cancel came first. Called by the loop when the deadline has passed. */
    @Override
    public void expire() {
        if (STATE.compareAndSet(this, ARMED, FIRED)) {
            expiry.run(); // the JDK's parkTimeoutExpired: an unpark, which the loop's execute() takes
        }
    }

    /**
     * Cancels the expiry if it has not run, and takes the timer off the heap.
     *
     * @return whether this call cancelled it (false: it had fired, or was cancelled already)
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!STATE.compareAndSet(this, ARMED, CANCELLED)) {
            return false;
        }
        remover.accept(this);
        return true;
    }

    @Override
    public boolean isCancelled() {
        return state == CANCELLED;
    }

    @Override
    public boolean isDone() {
        return state != ARMED;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(deadline() - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    /** Not supported: nothing waits for a park's expiry but the parked thread itself. */
    @Override
    public Object get() {
        throw new UnsupportedOperationException("a park timeout is not waited for");
    }

    /** Not supported: nothing waits for a park's expiry but the parked thread itself. */
    @Override
    public Object get(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("a park timeout is not waited for");
    }
}
