package io.vtbridge.jcstress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The HAND_OFF handshake between a loop carrier that is inside a mount and the stall watchdog that
 * takes its loop away ({@code LoopOwnership.handOff}), in decision form: nobody starts a thread, each
 * side records what it decided and what it saw.
 *
 * <p><b>A model, not the code itself.</b> The real sides cannot run on jcstress threads: the
 * carrier's half runs only on a {@code LoopThread} ({@code LoopOwnership.enterOwned} finds its carrier
 * through {@code currentCarrierThread() instanceof LoopThread}), the per-carrier fields and their
 * accessors are package-private in {@code io.vtbridge.loop}, and {@code handOff} starts a real loop
 * thread. So {@link Model} repeats the protocol on fields of its own, with the access mode the code
 * uses for each access. It mirrors these steps of {@code bridge-core/src/main/java/io/vtbridge/loop/}:
 * <pre>
 *   carrier, in a mount: LoopTurn.mount
 *     LoopOwnership.beginMount: MOUNT_STATE.setVolatile(self, MOUNTED)   (before the actors: the state starts MOUNTED)
 *     an owned op: LoopOwnership.enterOwned, the op, LoopOwnership.endOwned
 *       carrier.beginOwnedOp(): IN_OWNED_OP.setVolatile(this, 1)          LoopThread.beginOwnedOp
 *       carrier == owner   (volatile read of the owner)
 *       yes: the loop-owned write (local.addLast, timers.add), then
 *            carrier.endOwnedOp(): IN_OWNED_OP.setRelease(this, 0)        LoopThread.endOwnedOp
 *       no:  carrier.endOwnedOp(), and the cross-thread path               (an offer to the inbound queue)
 *     LoopOwnership.endMount: !MOUNT_STATE.compareAndSet(self, MOUNTED, MOUNT_IDLE) -> retired
 *   watchdog: LoopOwnership.handOff
 *     MOUNT_STATE.compareAndSet(old, MOUNTED, MOUNT_TAKEN); failed: return false
 *     owner = next   (volatile store, only after the CAS won)
 *     while (old.inOwnedOp()) Thread.onSpinWait()  (volatile read)        LoopThread.inOwnedOp
 *     next.start()   (the new owner sees what happened before it; here: what the watchdog reads)
 * </pre>
 * If that code changes, change {@link Model} with it.
 *
 * <p>Results, in every test: {@code r1} the owned ops the carrier did as the owner (a bit per op),
 * {@code r2} the carrier retired at the end of its mount (1) or kept the loop (0), {@code r3} the
 * watchdog's CAS took the mount (1) or failed (0), {@code r4} the owned ops whose writes the new
 * owner saw complete when it started (a bit per op; 4 added if it saw one half-done; -1 when there was
 * no new owner), {@code r5} (arbiter) the owner at the end: 1 the old carrier, 2 the new one.
 *
 * <p>Forbidden in every test: two owners (the carrier kept the loop and the watchdog's CAS
 * succeeded: {@code r2 = 0, r3 = 1}); a carrier that retired though nobody took the loop; a new owner
 * that starts without an op the old carrier did as owner, or while it is half done
 * ({@code r4 != r1} after a take); an owner field that does not name the winner.
 */
public final class HandOffTest {

    private HandOffTest() {
    }

    static final int IDLE = 0;      // LoopOwnership.MOUNT_IDLE
    static final int MOUNTED = 1;   // LoopOwnership.MOUNTED
    static final int TAKEN = 2;     // LoopOwnership.MOUNT_TAKEN
    static final int OLD = 1;       // the carrier that runs the loop now (and is stuck in a mount)
    static final int NEXT = 2;      // the fresh carrier the watchdog hands the loop to

    /** One loop with its current carrier, inside a mount; the same fields and access modes as the code's. */
    public static class Model {
        private static final VarHandle MOUNT_STATE;
        private static final VarHandle IN_OWNED_OP;

        static {
            try {
                MOUNT_STATE = MethodHandles.lookup().findVarHandle(Model.class, "mountState", int.class);
                IN_OWNED_OP = MethodHandles.lookup().findVarHandle(Model.class, "inOwnedOp", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile int owner = OLD;          // LoopOwnership.owner: stored by the watchdog, read by the carrier's owned ops
        volatile int mountState = MOUNTED; // LoopThread.mountState: the carrier's own; CAS by both sides
        volatile int inOwnedOp;            // LoopThread.inOwnedOp: setVolatile 1 / setRelease 0 by the carrier, read by the watchdog
        int firstA;                        // loop-owned state written by owned op 0 (two plain writes: "in progress" shows)
        int firstB;
        int secondA;                       // written by owned op 1
        int secondB;

        /** An owned op of bridged code on the carrier; returns whether it ran as the owner. */
        boolean ownedOp(int op) {
            IN_OWNED_OP.setVolatile(this, 1);      // LoopThread.beginOwnedOp
            if (owner == OLD) {                    // LoopOwnership.enterOwned: carrier == owner
                if (op == 0) {
                    firstA = 1;                    // local.addLast(...), timers.add(...): loop-owned, plain
                    firstB = 1;
                } else {
                    secondA = 1;
                    secondB = 1;
                }
                IN_OWNED_OP.setRelease(this, 0);   // LoopThread.endOwnedOp, via LoopOwnership.endOwned
                return true;
            }
            IN_OWNED_OP.setRelease(this, 0);       // enterOwned: a carrier that lost the loop; the cross-thread path
            return false;
        }

        /** The end of the carrier's mount; returns whether it lost the loop (retired). */
        boolean endMount() {
            return !MOUNT_STATE.compareAndSet(this, MOUNTED, IDLE); // LoopOwnership.endMount
        }

        /** LoopOwnership.handOff from the watchdog: returns what the new owner saw at its start, or -1 if the take failed. */
        int takeAndStart(IIIII_Result r) {
            if (!MOUNT_STATE.compareAndSet(this, MOUNTED, TAKEN)) {
                r.r3 = 0;                                      // the mount ended: no hand-off
                return -1;
            }
            r.r3 = 1;
            owner = NEXT;                                      // owner = next (after the CAS won)
            while (inOwnedOp != 0) {                           // old.inOwnedOp()
                Thread.onSpinWait();
            }
            // next.start(): the new owner reads the loop-owned state
            int first = seen(firstB, firstA);
            int second = seen(secondB, secondA);
            return (first == 1 ? 1 : 0) | (second == 1 ? 2 : 0) | (first < 0 || second < 0 ? 4 : 0);
        }

        /** 1: the op's two writes are both seen; 0: neither; -1: half (read opposite to the write order, so an op in progress shows). */
        private static int seen(int b, int a) {
            return a == 1 && b == 1 ? 1 : a == 0 && b == 0 ? 0 : -1;
        }
    }

    /**
     * The race: bridged code on the carrier does one owned op and its mount ends, while the
     * watchdog takes the loop.
     */
    @JCStressTest
    @Description("Hand-off vs one owned op and the end of the mount: one owner; the new owner starts after, and seeing, the old carrier's owned op.")
    @Outcome(id = "1, 0, 0, -1, 1", expect = ACCEPTABLE,
            desc = "The carrier did its op as owner and ended its mount before the watchdog's CAS: the take failed, nothing changed.")
    @Outcome(id = "1, 1, 1, 1, 2", expect = ACCEPTABLE,
            desc = "Taken mid-mount after the carrier's op as owner (the watchdog's spin saw it announced, or its release store): the new owner starts seeing the op; the carrier retires.")
    @Outcome(id = "0, 1, 1, 0, 2", expect = ACCEPTABLE,
            desc = "Taken mid-mount; the carrier's op read the new owner and took the cross-thread path: nothing loop-owned was written; the carrier retires.")
    @Outcome(expect = FORBIDDEN,
            desc = "Two owners (carrier kept the loop, take succeeded), a retirement without a take, a new owner that misses or sees half of the op, a carrier that saw a new owner though the take failed (0, 0, 0, -1, 1), or a wrong final owner.")
    @State
    public static class OwnedOpRacesTake extends Model {

        @Actor
        public void carrier(IIIII_Result r) {
            r.r1 = ownedOp(0) ? 1 : 0;
            r.r2 = endMount() ? 1 : 0;
        }

        @Actor
        public void watchdog(IIIII_Result r) {
            r.r4 = takeAndStart(r);
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            r.r5 = owner;
        }
    }

    /**
     * Two owned ops in one mount (say a {@code Bridge.sleep}: its timer added, then the pinning
     * probe's resume queued): the new owner must see every op done as owner, including one that
     * announced itself after an earlier one had already cleared {@code inOwnedOp} (the watchdog's
     * spin may have read 0 between the two; the second must then read the new owner).
     */
    @JCStressTest
    @Description("Hand-off vs two owned ops in one mount: once the watchdog's spin passed, no later op runs as owner; the new owner sees every op that did.")
    @Outcome(id = "3, 0, 0, -1, 1", expect = ACCEPTABLE,
            desc = "Both ops as owner and the mount ended before the watchdog's CAS: the take failed, nothing changed.")
    @Outcome(id = "3, 1, 1, 3, 2", expect = ACCEPTABLE,
            desc = "Taken after both ops ran as owner: the new owner starts seeing both; the carrier retires.")
    @Outcome(id = "1, 1, 1, 1, 2", expect = ACCEPTABLE,
            desc = "The first op ran as owner and the new owner sees it; the second read the new owner and took the cross-thread path.")
    @Outcome(id = "0, 1, 1, 0, 2", expect = ACCEPTABLE,
            desc = "Both ops read the new owner: nothing loop-owned written by the old carrier; it retires.")
    @Outcome(expect = FORBIDDEN,
            desc = "Two owners, a retirement without a take, an op done as owner that the new owner misses or sees half done (e.g. 3, 1, 1, 1, 2: the second op ran after the spin passed), a second op as owner after a first that was not, or a wrong final owner.")
    @State
    public static class TwoOwnedOpsRaceTake extends Model {

        @Actor
        public void carrier(IIIII_Result r) {
            int owned = ownedOp(0) ? 1 : 0;
            owned |= ownedOp(1) ? 2 : 0;
            r.r1 = owned;
            r.r2 = endMount() ? 1 : 0;
        }

        @Actor
        public void watchdog(IIIII_Result r) {
            r.r4 = takeAndStart(r);
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            r.r5 = owner;
        }
    }
}
