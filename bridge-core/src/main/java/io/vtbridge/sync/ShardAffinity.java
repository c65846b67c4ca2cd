package io.vtbridge.sync;

import io.vtbridge.internal.JdkAccess;
import io.vtbridge.internal.VarHandles;
import io.vtbridge.loop.ShardLoop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The shard-affine mode of a {@link QueuedSync}: while every user of the sync runs on one carrier
 * (the loop thread that owned its shard when the sync was first used), that carrier runs them one at
 * a time, so the guarded state needs neither the guard's CAS nor atomic writes. The first thread
 * carried by anything else switches the sync, for good, to the shared mode (the CAS guard).
 *
 * <pre>
 *   state transitions          by whom
 *   UNBOUND   -> C             CAS             the first user, a bridged thread carried by its loop's owner C
 *   UNBOUND   -> SHARED        CAS             the first user, any other thread
 *   C         -> SWITCHING     CAS             the first thread not carried by C (the fall-back)
 *   SWITCHING -> SHARED        volatile store  that thread, once it has read busy == 0 after its CAS
 * </pre>
 *
 * <p><b>The switch is a Dekker pair.</b> A thread carried by C enters with a volatile store of
 * {@code busy = 1}, then re-reads the state; the switching thread CASes the state away from C, then
 * reads {@code busy}. Both are sequentially consistent, so at least one sees the other: either the
 * home thread sees SWITCHING and backs out before touching anything, or the switcher sees
 * {@code busy == 1} and waits until the home thread's release store of {@code busy = 0}, which
 * publishes every plain write the home thread made. Only then is SHARED stored, and a thread that
 * reads SHARED may take the CAS guard, or the lock-free paths of {@link ExclusiveSync}. Two home
 * threads never overlap: they share one carrier, and nothing between enter and exit parks or yields.
 *
 * <p>"Carried by C" is a comparison of the current carrier with C, not of the loop: a HAND_OFF moves
 * the loop to a fresh carrier while the thread stuck on C goes on running there. The threads on the
 * new carrier are then foreign (they switch the sync), and the stuck one is still home until it
 * unmounts; the Dekker pair keeps the two apart, so no check of the loop's ownership is needed. A hog
 * moved to a pool worker, a rescued latency-lane start and a platform thread are foreign too.
 *
 * <p><b>Threading:</b> {@link #enter()} from any thread, paired with {@link #exit()} on a
 * {@code true}; the rest from any thread.
 */
final class ShardAffinity {

    private static final VarHandle STATE = VarHandles.field(MethodHandles.lookup(), "state", Object.class);
    private static final VarHandle BUSY = VarHandles.field(MethodHandles.lookup(), "busy", int.class);
    private static final int SPINS_BEFORE_YIELD = 64;

    private static final Object UNBOUND = new Object();
    private static final Object SWITCHING = new Object();
    private static final Object SHARED = new Object();

    private volatile Object state = UNBOUND; // see the table above
    private volatile int busy;               // 1 while a thread carried by the home carrier is inside: setVolatile and setRelease by it, read by the switcher

    /**
     * Enters the affine form of the guard, if the current thread may: returns {@code true} when it
     * is carried by the home carrier and the sync is still affine (pair with {@link #exit()}); binds
     * an unbound sync on its first use; otherwise (a foreign thread) switches the sync to the shared
     * mode, waits until it is, and returns {@code false}.
     */
    boolean enter() {
        for (;;) {
            Object s = state;
            if (s == SHARED) {
                return false;
            }
            Thread carrier = currentCarrier();
            if (s == carrier) {
                BUSY.setVolatile(this, 1); // store, then load the state: the home side of the Dekker pair
                if (state == carrier) {
                    return true;
                }
                BUSY.setRelease(this, 0); // a switch began: back out, touching nothing
            } else if (s == UNBOUND) {
                STATE.compareAndSet(this, UNBOUND, ShardLoop.current() != null ? carrier : SHARED);
            } else if (s == SWITCHING) {
                awaitShared();
                return false;
            } else if (STATE.compareAndSet(this, s, SWITCHING)) {
                // The CAS, then the load of busy: the foreign side of the Dekker pair.
                int spins = 0;
                while (busy != 0) { // pairs with the home side's setRelease(0): we see its plain writes
                    spins = backOff(spins);
                }
                state = SHARED;
                return false;
            }
        }
    }

    /** Leaves the affine form entered by {@link #enter()}. Publishes its writes to a switcher (read of busy). */
    void exit() {
        BUSY.setRelease(this, 0);
    }

    /** Whether the sync is in the shared mode for good (a thread that reads {@code true} may take the lock-free paths). */
    boolean isShared() {
        return state == SHARED;
    }

    /** Whether the current thread is carried by the home carrier of a bound, still affine sync: a snapshot. */
    boolean isHome() {
        Object s = state;
        return s != SHARED && s == currentCarrier();
    }

    /** Whether the sync is still affine (unbound, or bound and not switched): a snapshot. */
    boolean isAffine() {
        Object s = state;
        return s != SHARED && s != SWITCHING;
    }

    /** Binds an unbound sync to {@code home}: what a first use on home's loop does. For tests. */
    boolean bind(Thread home) {
        return STATE.compareAndSet(this, UNBOUND, home);
    }

    private void awaitShared() {
        int spins = 0;
        while (state != SHARED) {
            spins = backOff(spins);
        }
    }

    private static int backOff(int spins) {
        if (spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
            return spins + 1;
        }
        Thread.yield(); // the other side may be a descheduled platform thread: let it run
        return 0;
    }

    /**
     * The platform thread that runs the current thread: itself for a platform thread, the carrier
     * for a virtual one ({@code null} without the JDK access, which no bound sync ever matches).
     */
    private static Thread currentCarrier() {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return t;
        }
        return JdkAccess.isAvailable() ? JdkAccess.currentCarrierThread() : null;
    }

}
