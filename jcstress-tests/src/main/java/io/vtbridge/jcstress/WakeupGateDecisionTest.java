package io.vtbridge.jcstress;

import io.vtbridge.loop.WakeupGate;
import io.vtbridge.queue.MpscLinkedQueue;
import io.vtbridge.queue.StripedMpscQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The go-to-sleep handshake of {@link WakeupGate} with the shard's inbound
 * {@link MpscLinkedQueue}, in decision form: nobody parks, each side records what it decided.
 *
 * <pre>
 *  waker (ShardLoop.execute)          sleeper (LoopIdle.park)
 *  queue.offer(task)   swap of last   gate.prepareToSleep()   state := SLEEPING
 *  r1 = gate.wake()    load of state  r2 = queue.isEmpty()    load of last   (true: would park)
 *                                     if (!r2) gate.awake()
 * </pre>
 *
 * Both sides store, then load the other side's location, with sequentially consistent accesses,
 * so at least one sees the other. FORBIDDEN: the sleeper would park ({@code r2}) and the waker
 * did not unpark it ({@code !r1}) — a lost wake-up. {@code r3} is {@link WakeupGate#unparks()}
 * read by the arbiter: exactly one unpark per {@code wake()} that returned true.
 *
 * <p>A {@code wake()} that wins unparks the thread that called {@code prepareToSleep()}, here a
 * jcstress worker thread that never parks on it: the permit stays behind. That is harmless: jcstress
 * 0.16 runs one test per forked VM, its workers wait by spinning (a {@code parkNanos} spin style
 * would merely return early once), and the parking test ({@link WakeupGateParkTest}) runs its
 * sleeper on a fresh thread per round and treats any early return from {@code park} as "not woken".
 */
public final class WakeupGateDecisionTest {

    private WakeupGateDecisionTest() {
    }

    /** The element the waker publishes: any non-null task. */
    static final Runnable TASK = () -> { };

    /**
     * One idle turn against one {@code execute()}.
     */
    @JCStressTest
    @Description("offer+wake vs prepareToSleep+isEmpty: never 'sleeper would park' and 'waker did not unpark'.")
    @Outcome(id = "false, false, 0", expect = ACCEPTABLE,
            desc = "The waker ran before prepareToSleep (saw AWAKE, no unpark); the sleeper's re-check finds the task.")
    @Outcome(id = "true, true, 1", expect = ACCEPTABLE,
            desc = "The sleeper re-checked before the swap (would park); the waker sees SLEEPING, wins the CAS and unparks it.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE,
            desc = "Each saw the other: the sleeper finds the task and the waker also unparks (a spare permit: one extra loop turn).")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost wake-up (sleeper would park on a non-empty queue and nobody unparks it), or unparks() disagrees with wake().")
    @State
    public static class OneIdleTurn {
        private final MpscLinkedQueue<Runnable> queue = new MpscLinkedQueue<>();
        private final WakeupGate gate = new WakeupGate();

        @Actor
        public void waker(ZZJ_Result r) {
            queue.offer(TASK);   // ShardLoop.execute: sequentially consistent swap, then...
            r.r1 = gate.wake();  // ...the load of the gate's state
        }

        @Actor
        public void sleeper(ZZJ_Result r) {
            gate.prepareToSleep();               // LoopIdle.park, same calls in the same order
            boolean wouldPark = queue.isEmpty();
            if (!wouldPark) {
                gate.awake();                    // work found: the loop runs it instead of parking
            }
            r.r2 = wouldPark;
        }

        @Arbiter
        public void arbiter(ZZJ_Result r) {
            r.r3 = gate.unparks();
        }
    }

    /**
     * The same race, but the sleeper's previous idle turn ended with {@code awake()} (a release
     * store, not a full volatile store: see its comment), so the waker may read a stale AWAKE or
     * win the CAS against the earlier SLEEPING. Neither may lose the wake-up of the second turn.
     */
    @JCStressTest
    @Description("As OneIdleTurn, after a previous idle turn that ended in awake(): the release store must not open a window.")
    @Outcome(id = "false, false, 0", expect = ACCEPTABLE,
            desc = "The waker saw AWAKE (before the first turn, or between the turns); the second re-check finds the task.")
    @Outcome(id = "true, true, 1", expect = ACCEPTABLE,
            desc = "The second re-check ran before the swap (would park); the waker catches the second SLEEPING and unparks.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE,
            desc = "The waker won the CAS against either SLEEPING and unparked; the second re-check still finds the task (spare permit).")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost wake-up in the second turn, or unparks() disagrees with wake().")
    @State
    public static class AfterAnEarlierTurn {
        private final MpscLinkedQueue<Runnable> queue = new MpscLinkedQueue<>();
        private final WakeupGate gate = new WakeupGate();

        @Actor
        public void waker(ZZJ_Result r) {
            queue.offer(TASK);
            r.r1 = gate.wake();
        }

        @Actor
        public void sleeper(ZZJ_Result r) {
            gate.prepareToSleep();  // an earlier turn that did not park (say, a timer was due)
            gate.awake();
            gate.prepareToSleep();  // the turn under test
            boolean wouldPark = queue.isEmpty();
            if (!wouldPark) {
                gate.awake();
            }
            r.r2 = wouldPark;
        }

        @Arbiter
        public void arbiter(ZZJ_Result r) {
            r.r3 = gate.unparks();
        }
    }

    /**
     * The loop's second queue: the JDK's timer thread offers to the expiry queue
     * ({@code ShardLoop.executeExpiry}) and the sleeper checks the inbound queue first, then the
     * expiry queue, as {@code LoopIdle.park} does. The empty inbound check in between must not let
     * the expiry offer slip past.
     */
    @JCStressTest
    @Description("offer to the expiry queue + wake vs prepareToSleep + both isEmpty checks: no lost wake-up.")
    @Outcome(id = "false, false, 0", expect = ACCEPTABLE,
            desc = "The waker ran before prepareToSleep (saw AWAKE, no unpark); the sleeper's re-check finds the expiry.")
    @Outcome(id = "true, true, 1", expect = ACCEPTABLE,
            desc = "The sleeper re-checked before the swap (would park); the waker sees SLEEPING and unparks it.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE,
            desc = "Each saw the other: the re-check finds the expiry and the waker also unparks (a spare permit).")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost wake-up: the sleeper would park with an expiry queued and nobody unparks it.")
    @State
    public static class ExpiryQueue {
        private final MpscLinkedQueue<Runnable> inbound = new MpscLinkedQueue<>();
        private final MpscLinkedQueue<Runnable> expiries = new MpscLinkedQueue<>();
        private final WakeupGate gate = new WakeupGate();

        @Actor
        public void timerThread(ZZJ_Result r) {
            expiries.offer(TASK);  // ShardLoop.executeExpiry
            r.r1 = gate.wake();
        }

        @Actor
        public void sleeper(ZZJ_Result r) {
            gate.prepareToSleep();
            boolean wouldPark = inbound.isEmpty() && expiries.isEmpty();
            if (!wouldPark) {
                gate.awake();
            }
            r.r2 = wouldPark;
        }

        @Arbiter
        public void arbiter(ZZJ_Result r) {
            r.r3 = gate.unparks();
        }
    }
    /**
     * The inbound queue is striped (one stripe per submitting thread): the waker offers to a stripe
     * the sleeper checks last, after seven empty ones and the resume queue, as
     * {@code RunQueues.allEmpty} does. None of the empty checks in between may let the offer slip past.
     */
    @JCStressTest
    @Description("offer to the last inbound stripe + wake vs prepareToSleep + every stripe's isEmpty: no lost wake-up.")
    @Outcome(id = "false, false, 0", expect = ACCEPTABLE,
            desc = "The waker ran before prepareToSleep (saw AWAKE, no unpark); the sleeper's re-check finds the start.")
    @Outcome(id = "true, true, 1", expect = ACCEPTABLE,
            desc = "The sleeper re-checked before the swap (would park); the waker sees SLEEPING and unparks it.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE,
            desc = "Each saw the other: the re-check finds the start and the waker also unparks (a spare permit).")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost wake-up: the sleeper would park with a start queued in a stripe and nobody unparks it.")
    @State
    public static class StripedInbound {
        private final MpscLinkedQueue<Runnable> resumes = new MpscLinkedQueue<>();
        private final StripedMpscQueue<Runnable> inbound = new StripedMpscQueue<>(8);
        private final WakeupGate gate = new WakeupGate();

        @Actor
        public void submitter(ZZJ_Result r) {
            inbound.offer(7, TASK, 1);  // RunQueues.offerStart from the thread of stripe 7
            r.r1 = gate.wake();
        }

        @Actor
        public void sleeper(ZZJ_Result r) {
            gate.prepareToSleep();
            boolean wouldPark = resumes.isEmpty() && inbound.isEmpty();
            if (!wouldPark) {
                gate.awake();
            }
            r.r2 = wouldPark;
        }

        @Arbiter
        public void arbiter(ZZJ_Result r) {
            r.r3 = gate.unparks();
        }
    }
}
