package io.vtbridge.jcstress;

import io.vtbridge.loop.WakeupGate;
import io.vtbridge.queue.StripedMpscQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The spill's claim of a hungry peer, and the peer's wake-up for the tasks it is given.
 *
 * <p><b>A model of the flag, the real queue and gate.</b> The {@code hungry} flag is a private field of
 * the package-private {@code TaskRunners}, so {@link Peer} repeats it with the same type and access
 * modes; the peer's inbox and gate are the real {@link StripedMpscQueue} and {@link WakeupGate}. It
 * mirrors these lines of {@code bridge-core/src/main/java/io/vtbridge/loop/}:
 * <pre>
 *   hungry peer (its loop):
 *     TaskRunners.turnEnded(false, parksNext), after 8 empty turns or before it parks:
 *                                    if (hungry == 0) hungry = 1        (plain volatile load and store)
 *     LoopIdle.park:                 gate.prepareToSleep()
 *                                    runners.sources.hasTasks(): ... !inbox.isEmpty()   -> gate.awake(), run it
 *                                    else LockSupport.park, then gate.awake()
 *   feeder (another loop, TaskSpill.feedOneHungryPeer or spillIfHungryPeer, then spillTo):
 *     peer.isHungry() && peer.claimHungry()                              (volatile load, CAS)
 *       = TaskRunners: hungry != 0 && HUNGRY.compareAndSet(this, 1, 0)
 *     moving &gt; 0:  peer.sources.inbox.offer(loop.index(), task, 0) ...; peer.loop.wakeForTasks() = gate.wake()
 *     moving == 0: peer.leaveHungry() = HUNGRY.setVolatile(this, 1)       (nothing to give: leave it to another feeder)
 * </pre>
 * If that code changes, change {@link Peer} with it.
 */
public final class SpillClaimTest {

    private SpillClaimTest() {
    }

    /** A moved task: any non-null element. */
    static final Object TASK = new Object();

    /** The hungry peer's side of the spill: the flag as {@code TaskRunners} has it, its inbox, its gate. */
    public static class Peer {
        static final VarHandle HUNGRY;

        static {
            try {
                HUNGRY = MethodHandles.lookup().findVarHandle(Peer.class, "hungry", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile int hungry;  // 1: the last turn found no work; written by the peer's loop, CAS 1 -> 0 by a feeder
        final StripedMpscQueue<Object> inbox = new StripedMpscQueue<>(8);
        final WakeupGate gate = new WakeupGate();

        /** TaskRunners.turnEnded(false, ...): the loop has run dry. */
        void turnFoundNoWork() {
            int h = hungry;
            if (h == 0) {
                hungry = 1;
            }
        }

        /** A feeder's claim (TaskSpill.spillIfHungryPeer, TaskRunners.claimHungry): whether it won this peer. */
        boolean claim() {
            return hungry != 0 && HUNGRY.compareAndSet(this, 1, 0);
        }

        /** A feeder that claimed the peer but has nothing to move gives the claim back (spillTo, moving == 0: TaskRunners.leaveHungry). */
        void giveBack() {
            HUNGRY.setVolatile(this, 1);
        }

        /** A feeder that claimed the peer moves one task (spillTo, moving &gt; 0) and wakes it; whether it unparked. */
        boolean feed(int feederIndex) {
            inbox.offer(feederIndex, TASK, 0);
            return gate.wake();
        }

        /** LoopIdle.park in decision form: whether the peer would park. */
        boolean wouldPark() {
            gate.prepareToSleep();
            boolean park = inbox.isEmpty();
            if (!park) {
                gate.awake();
            }
            return park;
        }
    }

    /**
     * Two feeders (two loops with queued tasks) see the same hungry peer at once: exactly one claims it.
     * Results: feeder 1 won (1/0), feeder 2 won, the flag afterwards.
     */
    @JCStressTest
    @Description("Two feeders CAS one hungry peer's flag 1 -> 0: exactly one wins, and the flag ends at 0.")
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "Feeder 1 claimed the peer; feeder 2 found it claimed.")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "Feeder 2 claimed the peer; feeder 1 found it claimed.")
    @Outcome(expect = FORBIDDEN, desc = "Two feeders for one hungry peer, or none for a peer that was hungry, or a flag not left at 0.")
    @State
    public static class OneFeederPerHungryPeer {
        private final Peer peer = new Peer();

        public OneFeederPerHungryPeer() {
            peer.turnFoundNoWork();
        }

        @Actor
        public void feeder1(III_Result r) {
            r.r1 = peer.claim() ? 1 : 0;
        }

        @Actor
        public void feeder2(III_Result r) {
            r.r2 = peer.claim() ? 1 : 0;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = peer.hungry;
        }
    }

    /**
     * A feeder that claimed the peer and had nothing to move gives the claim back, while a second
     * feeder tries to claim: the second may win only once the claim is back, so the peer is never fed
     * by two at a time, and a claim given back is never lost (the flag is 1 again unless feeder 2 holds
     * it). Results: feeder 1 claimed, feeder 2 claimed, the flag afterwards.
     */
    @JCStressTest
    @Description("Claim and give back vs a second claim: one holder at a time, and the flag ends at 1 unless feeder 2 holds the claim.")
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "Feeder 2 tried while feeder 1 held the claim (or before it gave it back); the flag is back at 1.")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "Feeder 2 claimed the peer after feeder 1 gave it back; feeder 2 holds it.")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "Feeder 2 claimed first; feeder 1 found it claimed (and gave nothing back).")
    @Outcome(expect = FORBIDDEN, desc = "Both held the claim at once, nobody claimed a hungry peer, or a claim given back was lost (or kept).")
    @State
    public static class GiveBackVersusClaim {
        private final Peer peer = new Peer();

        public GiveBackVersusClaim() {
            peer.turnFoundNoWork();
        }

        @Actor
        public void feeder1(III_Result r) {
            boolean won = peer.claim();
            if (won) {
                peer.giveBack();
            }
            r.r1 = won ? 1 : 0;
        }

        @Actor
        public void feeder2(III_Result r) {
            r.r2 = peer.claim() ? 1 : 0;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = peer.hungry;
        }
    }

    /**
     * The peer's idle turn against a feeder: the peer says it is hungry, then goes to sleep through the
     * handshake; the feeder claims it, moves a task to its inbox and wakes it. The task is never
     * stranded: if the feeder moved it, the peer's re-check sees it or the feeder unparks the peer.
     * Results: the feeder claimed (1/0), the peer would park (1/0), the feeder's {@code wake()}
     * unparked (1/0), and {@link WakeupGate#unparks()} afterwards.
     */
    @JCStressTest
    @Description("hungry=1 + prepareToSleep + inbox.isEmpty vs claim + offer + wake: a moved task is never stranded.")
    @Outcome(id = "0, 1, 0, 0", expect = ACCEPTABLE,
            desc = "The feeder looked before the peer said it was hungry: nothing moved; the peer parks with nothing to do.")
    @Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE,
            desc = "The feeder moved the task and woke before prepareToSleep (saw AWAKE); the peer's re-check finds it.")
    @Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE,
            desc = "The peer re-checked before the offer (would park); the feeder sees SLEEPING and unparks it.")
    @Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE,
            desc = "Each saw the other: the peer finds the task and the feeder also unparks it (a spare permit: one extra turn).")
    @Outcome(expect = FORBIDDEN,
            desc = "Stranded task: the peer would park with the moved task in its inbox and the feeder did not unpark it; or unparks() disagrees with wake().")
    @State
    public static class MovedTaskNeverStranded {
        private final Peer peer = new Peer();

        @Actor
        public void peer(IIII_Result r) {
            peer.turnFoundNoWork();
            r.r2 = peer.wouldPark() ? 1 : 0;
        }

        @Actor
        public void feeder(IIII_Result r) {
            if (peer.claim()) {
                r.r1 = 1;
                r.r3 = peer.feed(0) ? 1 : 0;
            }
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r4 = (int) peer.gate.unparks();
        }
    }

    /**
     * The same with a real park ({@link Mode#Termination}; see {@link WakeupGateParkTest} for how
     * jcstress runs it). The {@code @Actor} is the hungry peer's loop: it says it is hungry, looks for
     * a task, and parks through the handshake when it finds none, parking again while the gate still
     * says SLEEPING. The {@code @Signal} is a feeder that waits until it can claim the peer, then moves
     * a task and wakes it: the peer must always end.
     */
    @JCStressTest(Mode.Termination)
    @Description("A hungry peer parked by the handshake is always woken by the feeder that claimed it.")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE,
            desc = "The peer took the moved task: its re-check found it, or it parked and the feeder's wake() unparked it.")
    @Outcome(expect = FORBIDDEN,
            desc = "STALE: the peer parked with the moved task in its inbox (a stranded task); ERROR: the peer threw.")
    @State
    public static class HungryPeerParksUntilFed {
        private final Peer peer = new Peer();

        @Actor
        public void peer() {
            while (true) {
                if (peer.inbox.poll() != null) {  // the peer's task step
                    return;
                }
                peer.turnFoundNoWork();
                if (!peer.wouldPark()) {
                    continue;
                }
                do {
                    LockSupport.park(this);
                } while (peer.gate.isSleeping()); // only wake()'s CAS ends the sleep
                peer.gate.awake();
                Thread.interrupted();
            }
        }

        @Signal
        public void feeder() {
            while (!peer.claim()) {
                Thread.onSpinWait(); // until the peer has said it is hungry
            }
            peer.feed(0);
        }
    }
}
