package io.vtbridge.loop;

import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The go-to-sleep handshake between a loop thread and the threads that give it work.
 *
 * <pre>
 *  sleeper (the loop)                          waker (any thread)
 *  ------------------                          ------------------
 *  prepareToSleep()   state := SLEEPING         publish work (a volatile store, e.g. a queue swap)
 *  re-check every work source                  wake():
 *    work found  -> awake(), run it              if state == SLEEPING and CAS(SLEEPING -> AWAKE)
 *    none        -> park, then awake()             unpark(sleeper)
 * </pre>
 *
 * Both sides do "store, then load the other side's location" with sequentially consistent
 * accesses, so at least one of them sees the other: either the loop's re-check finds the work,
 * or the waker finds {@code SLEEPING} and unparks. A wake-up is never lost, and a waker that
 * finds the loop awake does not unpark at all: {@link #unparks()} counts the unparks issued.
 * A park that returns early (spurious, or an unpark left over from a CAS that won after the loop
 * had already woken) only costs one extra loop turn.
 *
 * <p>State transitions:
 * <pre>
 *   AWAKE    -> SLEEPING   prepareToSleep()  (sleeper)
 *   SLEEPING -> AWAKE      awake()           (sleeper, after the re-check or the park)
 *   SLEEPING -> AWAKE      wake()            (waker, CAS; the winner unparks)
 * </pre>
 *
 * <p><b>Threading:</b> {@link #prepareToSleep} and {@link #awake} are called by the thread that
 * parks; {@link #wake} by any thread. The sleeper is whichever thread last called
 * {@code prepareToSleep}, so the loop may move to another thread.
 */
public final class WakeupGate {

    private static final int AWAKE = 0;
    private static final int SLEEPING = 1;

    private static final VarHandle STATE = VarHandles.field(MethodHandles.lookup(), "state", int.class);
    private static final VarHandle UNPARKS = VarHandles.field(MethodHandles.lookup(), "unparks", long.class);

    private volatile int state;      // written by the sleeper; CAS SLEEPING -> AWAKE by wakers
    private Thread sleeper;          // written by the sleeper before its volatile store of SLEEPING; read by the waker after its volatile load of SLEEPING
    private volatile long unparks;   // getAndAdd by the waker that won the CAS

    /**
     * Announces that the calling thread is about to park. The caller must then re-check every
     * source of work (the volatile store here is ordered before those loads) and call
     * {@link #awake()} whether it parks or not.
     */
    public void prepareToSleep() {
        sleeper = Thread.currentThread();
        state = SLEEPING; // volatile store: StoreLoad-ordered before the caller's re-check of its queues
    }

    /** The sleeper is running again: wakers need not unpark it. */
    public void awake() {
        // A release store is enough: a waker that still reads SLEEPING afterwards fails its CAS
        // or issues one harmless extra unpark; the next prepareToSleep() is a full volatile store.
        STATE.setRelease(this, AWAKE);
    }

    /**
     * Wakes the sleeper if, and only if, it announced sleep and nobody has woken it since.
     * Call after publishing the work with a sequentially consistent store. Never blocks.
     *
     * @return whether this call unparked the sleeper
     */
    public boolean wake() {
        if (state == SLEEPING && STATE.compareAndSet(this, SLEEPING, AWAKE)) {
            UNPARKS.getAndAdd(this, 1L);
            LockSupport.unpark(sleeper); // sleeper was written before the SLEEPING store we read
            return true;
        }
        return false;
    }

    /** Whether the sleeper has announced sleep and not been woken yet (a racy snapshot). */
    public boolean isSleeping() {
        return state == SLEEPING;
    }

    /** How many unparks {@link #wake()} has issued so far. */
    public long unparks() {
        return unparks;
    }
}
