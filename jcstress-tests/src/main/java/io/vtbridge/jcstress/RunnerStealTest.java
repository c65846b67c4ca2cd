package io.vtbridge.jcstress;

import io.vtbridge.loop.WakeupGate;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.ZZJ_Result;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The steal of runnable runners ({@code RunnerSteal}): a runner inside a task without a key that is
 * made runnable waits in its loop's ready queue, which its loop and any idle peer loop take from.
 *
 * <p><b>A model of the flag, the real queue and gate.</b> The ready queue is the JDK's
 * {@link ConcurrentLinkedQueue}, as in {@code RunnerSteal}; the gate is the real {@link WakeupGate};
 * the peer's {@code hungry} flag is a private volatile field of the package-private
 * {@code TaskRunners}, so {@link Peer} repeats it with the same access modes. It mirrors these lines
 * of {@code bridge-core/src/main/java/io/vtbridge/loop/}:
 * <pre>
 *   offerer (ShardLoop.execute from another thread, StallWatchdog.check through wakePeerForWaitingRunners):
 *     RunnerSteal.offer:            ready.offer(new Ready(continuation, stamp))   (a CAS: sequentially consistent)
 *     execute:                      if (!gate.wake()) ...                          (the home loop's gate: {@link HomeSleeps})
 *     RunnerSteal.wakeHungryPeer:   if (peer.runners().isHungry())                (volatile load)
 *                                       peer.wakeForTasks() = gate.wake()          (load of state, CAS)
 *   home loop (LoopIdle.park):      gate.prepareToSleep(); ... || !runners.steal.isEmpty()
 *   idle peer (its loop):
 *     TaskRunners.turnEnded:        hungry = 1 before it parks                    (volatile store)
 *     LoopIdle.park:                gate.prepareToSleep()                          (volatile store)
 *                                   ... || runners.steal.peersHaveReady()          (ready.isEmpty(): volatile loads)
 *                                   empty: park; else gate.awake(), and the next turn steals
 *     LoopTurn.runStolen:           ready.poll()                                   (a CAS)
 * </pre>
 * If that code changes, change {@link Peer} with it.
 */
public final class RunnerStealTest {

    private RunnerStealTest() {
    }

    /** A runnable runner's continuation: any non-null element. */
    static final Object READY = new Object();

    /** The idle peer: its hunger flag as {@code TaskRunners} has it, its gate. */
    public static class Peer {
        volatile int hungry;
        final WakeupGate gate = new WakeupGate();

        /** {@code TaskRunners.turnEnded(false, true)}, then {@code LoopIdle.park} in decision form: true when it would park. */
        boolean wouldPark(ConcurrentLinkedQueue<Object> homeReady) {
            hungry = 1;
            gate.prepareToSleep();
            boolean park = homeReady.isEmpty();
            if (!park) {
                gate.awake();
            }
            return park;
        }
    }

    /** {@code RunnerSteal.offer}, then {@code wakeHungryPeer}: returns whether it unparked the peer. */
    static boolean offerAndWake(ConcurrentLinkedQueue<Object> ready, Peer peer) {
        ready.offer(READY);
        return peer.hungry != 0 && peer.gate.wake();
    }

    /**
     * The race of an offer (from another thread while the home loop is busy, or the watchdog's
     * back-stop) with a peer going to sleep: the peer sees the runner or is woken.
     */
    @JCStressTest
    @Description("ready.offer + (hungry? wake) vs hungry = 1 + prepareToSleep + ready.isEmpty: no lost wake-up.")
    @Outcome(id = "false, false, 0", expect = ACCEPTABLE,
            desc = "The offer came before the peer's re-check, which finds the runner: it does not park, nobody unparks.")
    @Outcome(id = "true, true, 1", expect = ACCEPTABLE,
            desc = "The peer re-checked before the offer (would park); the offerer sees it hungry and SLEEPING and unparks it.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE,
            desc = "Each saw the other: the re-check finds the runner and the offerer also unparks (a spare permit).")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost wake-up: the peer would park with a runner to take and nobody unparks it; or unparks() disagrees with wake().")
    @State
    public static class OfferVersusSleep {
        private final ConcurrentLinkedQueue<Object> ready = new ConcurrentLinkedQueue<>();
        private final Peer peer = new Peer();

        @Actor
        public void offerer(ZZJ_Result r) {
            r.r1 = offerAndWake(ready, peer);
        }

        @Actor
        public void peer(ZZJ_Result r) {
            r.r2 = peer.wouldPark(ready);
        }

        @Arbiter
        public void arbiter(ZZJ_Result r) {
            r.r3 = peer.gate.unparks();
        }
    }

    /**
     * A resume offered from another thread against the runner's own loop going to sleep: the loop
     * re-checks its ready queue after announcing sleep, the offerer wakes it after the offer.
     */
    @JCStressTest
    @Description("ready.offer + home gate.wake vs home prepareToSleep + ready.isEmpty: no lost wake-up.")
    @Outcome(id = "false, false, 0", expect = ACCEPTABLE,
            desc = "The offer came before the loop's re-check, which finds the runner: it does not park, nobody unparks.")
    @Outcome(id = "true, true, 1", expect = ACCEPTABLE,
            desc = "The loop re-checked before the offer (would park); the offerer sees SLEEPING and unparks it.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE,
            desc = "Each saw the other: the re-check finds the runner and the offerer also unparks (a spare permit).")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost wake-up: the home loop would park with its runner runnable and nobody unparks it.")
    @State
    public static class HomeSleeps {
        private final ConcurrentLinkedQueue<Object> ready = new ConcurrentLinkedQueue<>();
        private final WakeupGate gate = new WakeupGate();

        @Actor
        public void offerer(ZZJ_Result r) {
            ready.offer(READY);   // RunnerSteal.offer
            r.r1 = gate.wake();   // ShardLoop.execute, off the loop
        }

        @Actor
        public void home(ZZJ_Result r) {
            gate.prepareToSleep();
            boolean park = ready.isEmpty(); // LoopIdle.park: ... || !runners.steal.isEmpty()
            if (!park) {
                gate.awake();
            }
            r.r2 = park;
        }

        @Arbiter
        public void arbiter(ZZJ_Result r) {
            r.r3 = gate.unparks();
        }
    }

    /** The home loop and a thief take from one ready queue at once: exactly one of them gets the runner. */
    @JCStressTest
    @Description("Home loop's ready.poll vs a peer's ready.poll of one runnable runner: exactly one mounts it.")
    @Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE, desc = "One loop mounts it, the other finds the queue empty.")
    @Outcome(expect = FORBIDDEN, desc = "Both mount it (two carriers run one continuation) or neither does (lost).")
    @State
    public static class OneTaker {
        private final ConcurrentLinkedQueue<Object> ready = new ConcurrentLinkedQueue<>();

        public OneTaker() {
            ready.offer(READY);
        }

        @Actor
        public void home(II_Result r) {
            r.r1 = ready.poll() == null ? 0 : 1; // LoopTurn: the step that runs the loop's ready queue (RunnerSteal.poll)
        }

        @Actor
        public void thief(II_Result r) {
            r.r2 = ready.poll() == null ? 0 : 1; // LoopTurn.runStolen
        }
    }

    /**
     * The same race with a real park ({@link Mode#Termination}; how jcstress runs it: see
     * {@link WakeupGateParkTest}). The {@code @Actor} is an idle peer: it tries to steal, and parks
     * through the handshake when there is nothing, parking again while its gate still says
     * SLEEPING, so that only {@code wake()} ends a sleep. The {@code @Signal} is a busy loop making
     * one of its runners runnable.
     */
    @JCStressTest(Mode.Termination)
    @Description("An idle peer parked by the handshake is always woken for a runner offered on a busy loop.")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE,
            desc = "The peer took the runner: its re-check found it, or it parked and wake() unparked it.")
    @Outcome(expect = FORBIDDEN,
            desc = "STALE: lost wake-up, the peer parked with a runner to take; ERROR: the peer threw.")
    @State
    public static class PeerParksUntilWoken {
        private final ConcurrentLinkedQueue<Object> ready = new ConcurrentLinkedQueue<>();
        private final Peer peer = new Peer();

        @Actor
        public void peer() {
            while (true) {
                if (ready.poll() != null) { // LoopTurn.runStolen
                    return;
                }
                if (!peer.wouldPark(ready)) {
                    continue;
                }
                do {
                    LockSupport.park(this);
                } while (peer.gate.isSleeping()); // only wake()'s CAS SLEEPING -> AWAKE ends the sleep
                peer.gate.awake();
                Thread.interrupted();
            }
        }

        @Signal
        public void offer() {
            offerAndWake(ready, peer);
        }
    }
}
