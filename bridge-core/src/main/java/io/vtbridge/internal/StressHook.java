package io.vtbridge.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The seam between the runtime's primitives ({@code BridgeLock}, {@code BridgeReadWriteLock},
 * {@code BridgeSemaphore}, their conditions, {@code Bridge.sleep}) and a stress run's deterministic
 * scheduler ({@code io.vtbridge.stress}). A primitive asks {@link #current()} whether its thread runs
 * under a stress run; if so, it announces its scheduling points ({@link #point}) and waits on the
 * run's virtual clock instead of the real one ({@link #nanoTime}, {@link #parkUntil}, {@link #sleep}).
 *
 * <p>Outside a stress run the whole cost is one volatile read of a counter that is 0: no stress run is
 * active, so nothing else is looked at.
 *
 * <p><b>Threading:</b> {@link #current()} and {@link #point} from any thread; the instance methods
 * only from a virtual thread that the hook's scheduler carries ({@code current() == this}).
 */
public abstract class StressHook {

    private static final ConcurrentHashMap<Thread, StressHook> BY_CARRIER = new ConcurrentHashMap<>();
    private static final Object INSTALL_LOCK = new Object();
    private static volatile int installed; // how many carriers run a stress schedule now

    /**
     * The stress run that carries the current thread, or {@code null}: always {@code null} for a
     * platform thread and while no stress run is active (one volatile read).
     */
    public static StressHook current() {
        if (installed == 0) {
            return null;
        }
        Thread me = Thread.currentThread();
        if (!me.isVirtual()) {
            return null;
        }
        StressHook hook = BY_CARRIER.get(JdkAccess.currentCarrierThread());
        return hook != null && hook.carries(me) ? hook : null;
    }

    /**
     * A scheduling point of the current thread: under a stress run its scheduler may run another
     * thread here; anywhere else nothing happens. {@code action} and {@code subject} name it in the
     * run's schedule (for example "LOCK" and the lock).
     */
    public static void point(String action, Object subject) {
        if (installed == 0) {
            return;
        }
        StressHook hook = current();
        if (hook != null) {
            hook.schedulingPoint(action, subject);
        }
    }

    /** Makes {@code hook} the stress run of the virtual threads {@code carrier} carries. */
    protected static void install(Thread carrier, StressHook hook) {
        synchronized (INSTALL_LOCK) {
            if (BY_CARRIER.putIfAbsent(carrier, hook) != null) {
                throw new IllegalStateException(carrier + " already carries a stress run");
            }
            installed = installed + 1;
        }
    }

    /** Undoes {@link #install} for {@code carrier}. */
    protected static void uninstall(Thread carrier) {
        synchronized (INSTALL_LOCK) {
            if (BY_CARRIER.remove(carrier) != null) {
                installed = installed - 1;
            }
        }
    }

    /** Whether {@code thread}, mounted on this hook's carrier, is a thread of the current schedule (not a leftover). */
    protected abstract boolean carries(Thread thread);

    /** The scheduling point of the calling thread ({@link #point}). */
    protected abstract void schedulingPoint(String action, Object subject);

    /** The run's virtual clock, in nanoseconds (as {@link System#nanoTime()}: only differences mean anything). */
    public abstract long nanoTime();

    /**
     * Parks the calling thread (as {@link LockSupport#park(Object)}, so it may return spuriously)
     * until it is unparked or the virtual clock reaches {@code deadline}.
     */
    public abstract void parkUntil(long deadline, Object blocker);

    /** Sleeps on the virtual clock. A zero or negative duration returns at once. */
    public abstract void sleep(long nanos) throws InterruptedException;
}
