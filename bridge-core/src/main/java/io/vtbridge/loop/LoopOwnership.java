package io.vtbridge.loop;

import io.vtbridge.internal.JdkAccess;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which platform thread owns a {@link ShardLoop}, and how ownership moves to a fresh carrier when
 * the owner is stuck in a carrier-blocking call of the virtual thread it carries (the HAND_OFF
 * policy). Everything "loop-owned" (the local run queue, the timers, the counters' plain side) may
 * be touched only by the owner: the loop itself, or a virtual thread it carries.
 *
 * <p>Without hand-off (the default) the owner never changes and every check here is a comparison
 * with one volatile field. With it, each mount and each access of bridged code to loop-owned state
 * announce themselves on the carrier, so that the watchdog can take the loop away safely:
 * <pre>
 *   carrier, per mount                   watchdog, handOff()
 *   mountState := MOUNTED  (volatile)    CAS old.mountState MOUNTED -> TAKEN    (fails: the mount ended)
 *   ... the continuation runs ...        owner := next                           (volatile, only after the CAS won)
 *     an owned access: inOwnedOp := 1,   wait while old.inOwnedOp                (an access begun before the store)
 *       then read owner: still us?       next.start()                            (happens-after the old carrier's work)
 *       yes: touch loop-owned state;
 *       no: take the cross-thread path;
 *       inOwnedOp := 0 (release)
 *   CAS mountState MOUNTED -> IDLE
 *     fails: TAKEN, so this carrier retires: it touches nothing loop-owned any more and exits
 * </pre>
 * The mount-state CAS decides, once, whether the old carrier keeps the loop or the watchdog takes
 * it; the owned-access announcement (a Dekker pair with the owner store) keeps the new owner from
 * starting while the old carrier is inside such an access. The jcstress {@code HandOffTest} checks
 * this handshake.
 *
 * <p><b>Threading:</b> {@link #enable} before the loop starts; {@link #handOff} by the stall watchdog
 * (one at a time); {@link #beginMount} and {@link #endMount} by the owner around each mount;
 * {@link #enterOwned} and {@link #endOwned} by code on any carrier of this loop; the rest from any
 * thread.
 */
final class LoopOwnership {

    static final int MOUNT_IDLE = 0;
    static final int MOUNTED = 1;
    static final int MOUNT_TAKEN = 2;

    private static final VarHandle MOUNT_STATE = LoopThread.MOUNT_STATE; // on each carrier: a new owner has a state of its own

    private final ShardLoop loop;
    private final String threadName;
    private final boolean daemon;
    private volatile LoopThread owner;    // the carrier that runs the loop now; replaced only by handOff()
    private boolean enabled;              // set before start(): the per-mount handshake is on
    private int maxExtraCarriers;         // set before start()
    private final AtomicInteger extraCarriers = new AtomicInteger(); // carriers that lost the loop and are still alive
    private final AtomicLong handOffs = new AtomicLong();            // hand-offs so far

    LoopOwnership(ShardLoop loop, String threadName, boolean daemon) {
        this.loop = loop;
        this.threadName = threadName;
        this.daemon = daemon;
        this.owner = new LoopThread(loop, threadName, daemon);
    }

    /** Turns the hand-off handshake on. Before the loop starts (the loop checks). */
    void enable(int maxExtraCarriers) {
        this.enabled = true;
        this.maxExtraCarriers = maxExtraCarriers;
    }

    boolean enabled() {
        return enabled;
    }

    /** The carrier that owns the loop now. */
    LoopThread owner() {
        return owner;
    }

    /** Whether the current thread is the owner or a virtual thread the owner carries. */
    boolean inLoop() {
        Thread t = Thread.currentThread();
        LoopThread o = owner;
        return t == o || (t.isVirtual() && JdkAccess.currentCarrierThread() == o);
    }

    /** See {@link ShardLoop#handOff()}; {@code running}: whether the loop is running. */
    synchronized boolean handOff(boolean running) { // synchronized: one decision at a time (the watchdog's thread; never a loop)
        if (!enabled || !running || extraCarriers.get() >= maxExtraCarriers) {
            return false;
        }
        LoopThread old = owner;
        extraCarriers.incrementAndGet(); // before the CAS: the old carrier may retire (and count down) at once after it
        if (!MOUNT_STATE.compareAndSet(old, MOUNTED, MOUNT_TAKEN)) {
            extraCarriers.decrementAndGet();
            return false; // the mount ended: no stall any more
        }
        // The old carrier's mount can no longer end with its CAS: it will retire. Now publish the
        // new owner (volatile store), then wait out an access the old carrier may have begun
        // before it could see it (its volatile store of inOwnedOp, then its load of the owner).
        LoopThread next = new LoopThread(loop, threadName + "-h" + (handOffs.get() + 1), daemon);
        owner = next; // from here bridged code on the old carrier takes the cross-thread paths
        while (old.inOwnedOp()) {
            Thread.onSpinWait(); // an access that began before our store of the owner: a few instructions
        }
        handOffs.incrementAndGet();
        next.start(); // happens-after everything the old carrier did before its mount (its volatile store of MOUNTED)
        return true;
    }

    /**
     * Begins an access to loop-owned state from the current thread, if it may: returns
     * {@code false} (and begins nothing) when the current thread is not on the owner. With hand-off
     * on, the access is announced on the carrier first (a volatile store, then the volatile read of
     * the owner), so a hand-off never starts the new owner while the old carrier is inside such an
     * access. Pair a {@code true} with {@link #endOwned()}.
     */
    boolean enterOwned() {
        if (!enabled) {
            return inLoop();
        }
        if (!(carrierOfCurrent() instanceof LoopThread carrier) || carrier.loop() != loop) {
            return false;
        }
        carrier.beginOwnedOp();
        if (carrier == owner) {
            return true;
        }
        carrier.endOwnedOp(); // a carrier that lost the loop: take the cross-thread path
        return false;
    }

    /** Ends an access begun by a successful {@link #enterOwned()}. */
    void endOwned() {
        if (enabled && carrierOfCurrent() instanceof LoopThread carrier) {
            carrier.endOwnedOp();
        }
    }

    private static Thread carrierOfCurrent() {
        Thread t = Thread.currentThread();
        return t.isVirtual() ? JdkAccess.currentCarrierThread() : t;
    }

    /**
     * Before a mount, on the owner: with hand-off on, publishes everything the loop did so far to a
     * watchdog that takes the loop (volatile store of MOUNTED) and returns the carrier; else null.
     */
    LoopThread beginMount() {
        if (!enabled) {
            return null;
        }
        LoopThread self = (LoopThread) Thread.currentThread();
        MOUNT_STATE.setVolatile(self, MOUNTED);
        return self;
    }

    /** Whether the mount begun with {@code self} (null: hand-off off) has been taken by a hand-off. */
    static boolean taken(LoopThread self) {
        return self != null && self.mountState == MOUNT_TAKEN;
    }

    /**
     * After the mount begun with {@code self}: returns whether this carrier still owns the loop. If
     * the watchdog took the loop meanwhile, marks the carrier retired: it must touch nothing
     * loop-owned any more, and leave.
     */
    boolean endMount(LoopThread self) {
        if (self == null || MOUNT_STATE.compareAndSet(self, MOUNTED, MOUNT_IDLE)) {
            return true;
        }
        self.retired = true;
        return false;
    }

    /** Whether the current thread, a carrier of this loop, lost the loop in its last mount. */
    boolean lost() {
        return enabled && Thread.currentThread() instanceof LoopThread self && self.retired;
    }

    /** A carrier that lost the loop leaves (its blocking call returned, its mount ended). */
    void retired() {
        extraCarriers.decrementAndGet();
    }

    long handOffs() {
        return handOffs.get();
    }

    int extraCarriers() {
        return extraCarriers.get();
    }
}
