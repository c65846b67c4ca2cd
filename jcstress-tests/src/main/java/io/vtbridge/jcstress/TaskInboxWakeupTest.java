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
import org.openjdk.jcstress.infra.results.ZZJ_Result;

import java.util.concurrent.locks.LockSupport;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The wake-up of a loop for a submitted task: the runners' inbox ({@code TaskSources.inbox}, a
 * {@link StripedMpscQueue} of 8 stripes, one per submitting thread) against the loop's go-to-sleep
 * handshake, with the real {@link StripedMpscQueue} and {@link WakeupGate}.
 *
 * <pre>
 *  submitter (ShardLoop.submitTask, off the loop)     loop (LoopIdle.park)
 *  sources.submitRemote: inbox.offer(stripe, task, 0)  gate.prepareToSleep()          state := SLEEPING
 *    (first offer to a stripe: CAS of the used mask,   queues.allEmpty()              (the loop's own queues: empty here)
 *     then the stripe's sequentially consistent swap)  runners.sources.hasTasks():
 *  gate.wake()                  load of state            kept deques empty (loop-owned), then inbox.isEmpty()
 *                                                         (load of the used mask, then each used stripe's last)
 *                                                      empty: park; else gate.awake() and run the task
 * </pre>
 *
 * Both sides store, then load the other's location, with sequentially consistent accesses. A stripe
 * whose used bit the loop does not see yet is skipped by {@code isEmpty()}: that is safe because the
 * submitter sets the bit (a CAS) before its swap, so a loop that misses the bit loaded the mask before
 * the CAS, hence after its own SLEEPING store, which the submitter's later load of the state sees.
 * FORBIDDEN everywhere: the loop would park ({@code isEmpty()}) and the submitter did not unpark it.
 *
 * <p>The kept deques of {@code TaskSources.hasTasks()} are loop-owned (filled only on the loop's
 * owner), so they are empty in this race and left out. A winning {@code wake()} unparks the jcstress
 * worker that called {@code prepareToSleep()} in the decision forms; see {@link WakeupGateDecisionTest}
 * for why that stray permit is harmless.
 */
public final class TaskInboxWakeupTest {

    private TaskInboxWakeupTest() {
    }

    /** A task: any non-null element. */
    static final Object TASK = new Object();

    /** RunQueues.INBOUND_STRIPES, the inbox's stripe count. */
    static final int STRIPES = 8;

    /** The loop's side of {@code LoopIdle.park} in decision form: true when it would park. */
    static boolean wouldPark(WakeupGate gate, StripedMpscQueue<Object> loopQueues, StripedMpscQueue<Object> inbox) {
        gate.prepareToSleep();                              // volatile store; the loads below cannot move above it
        boolean park = loopQueues.isEmpty() && inbox.isEmpty(); // queues.allEmpty(), then runners.sources.hasTasks()
        if (!park) {
            gate.awake();
        }
        return park;
    }

    /**
     * The first submission from a thread: its stripe of a fresh inbox has never had an offer, so the
     * offer first sets the stripe's used bit, and the loop's {@code isEmpty()} may skip the stripe.
     */
    @JCStressTest
    @Description("inbox.offer (first offer to its stripe) + wake vs prepareToSleep + inbox.isEmpty: no lost wake-up.")
    @Outcome(id = "false, false, 0", expect = ACCEPTABLE,
            desc = "The submitter ran before prepareToSleep (saw AWAKE, no unpark); the loop's re-check finds the task.")
    @Outcome(id = "true, true, 1", expect = ACCEPTABLE,
            desc = "The loop re-checked before the offer (would park); the submitter sees SLEEPING, wins the CAS and unparks.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE,
            desc = "Each saw the other: the re-check finds the task and the submitter also unparks (a spare permit).")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost wake-up: the loop would park with the task in its inbox and nobody unparks it; or unparks() disagrees with wake().")
    @State
    public static class FirstOfferToAStripe {
        private final StripedMpscQueue<Object> loopQueues = new StripedMpscQueue<>(STRIPES);
        private final StripedMpscQueue<Object> inbox = new StripedMpscQueue<>(STRIPES);
        private final WakeupGate gate = new WakeupGate();

        @Actor
        public void submitter(ZZJ_Result r) {
            inbox.offer(5, TASK, 0);  // TaskSources.submitRemote from the thread of stripe 5
            r.r1 = gate.wake();       // ShardLoop.submitTask
        }

        @Actor
        public void loop(ZZJ_Result r) {
            r.r2 = wouldPark(gate, loopQueues, inbox);
        }

        @Arbiter
        public void arbiter(ZZJ_Result r) {
            r.r3 = gate.unparks();
        }
    }

    /**
     * A later submission: the stripe has been used (and drained) before, so the offer is the swap
     * alone; another stripe the loop checks first is used and empty too.
     */
    @JCStressTest
    @Description("inbox.offer to a used, empty stripe + wake vs prepareToSleep + inbox.isEmpty: no lost wake-up.")
    @Outcome(id = "false, false, 0", expect = ACCEPTABLE,
            desc = "The submitter ran before prepareToSleep (saw AWAKE, no unpark); the loop's re-check finds the task.")
    @Outcome(id = "true, true, 1", expect = ACCEPTABLE,
            desc = "The loop re-checked before the swap (would park); the submitter sees SLEEPING, wins the CAS and unparks.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE,
            desc = "Each saw the other: the re-check finds the task and the submitter also unparks (a spare permit).")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost wake-up: the loop would park with the task in its inbox and nobody unparks it; or unparks() disagrees with wake().")
    @State
    public static class UsedStripe {
        private final StripedMpscQueue<Object> loopQueues = new StripedMpscQueue<>(STRIPES);
        private final StripedMpscQueue<Object> inbox = new StripedMpscQueue<>(STRIPES);
        private final WakeupGate gate = new WakeupGate();

        public UsedStripe() {
            inbox.offer(1, TASK, 0);  // earlier submissions from two threads, both run since
            inbox.offer(6, TASK, 0);
            inbox.poll();
            inbox.poll();
        }

        @Actor
        public void submitter(ZZJ_Result r) {
            inbox.offer(6, TASK, 0);
            r.r1 = gate.wake();
        }

        @Actor
        public void loop(ZZJ_Result r) {
            r.r2 = wouldPark(gate, loopQueues, inbox);
        }

        @Arbiter
        public void arbiter(ZZJ_Result r) {
            r.r3 = gate.unparks();
        }
    }

    /**
     * The same race with a real park ({@link Mode#Termination}; how jcstress runs it: see
     * {@link WakeupGateParkTest}). The {@code @Actor} is a loop with an empty inbox: it looks for a
     * task (the runners' step: {@code inbox.poll()}), and parks through the handshake when it finds
     * none, parking again while the gate still says SLEEPING, so that only {@code wake()} ends a
     * sleep. The {@code @Signal} is a submission from another thread.
     */
    @JCStressTest(Mode.Termination)
    @Description("A loop parked by the handshake is always woken by inbox.offer + wake().")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE,
            desc = "The loop took the task: its re-check found it, or it parked and wake() unparked it.")
    @Outcome(expect = FORBIDDEN,
            desc = "STALE: lost wake-up, the loop parked with the task in its inbox; ERROR: the loop threw.")
    @State
    public static class LoopParksUntilWoken {
        private final StripedMpscQueue<Object> loopQueues = new StripedMpscQueue<>(STRIPES);
        private final StripedMpscQueue<Object> inbox = new StripedMpscQueue<>(STRIPES);
        private final WakeupGate gate = new WakeupGate();

        @Actor
        public void loop() {
            while (true) {
                if (inbox.poll() != null) {  // TaskSources.poll, in the loop's task step
                    return;
                }
                if (!wouldPark(gate, loopQueues, inbox)) {
                    continue;                // in flight (swapped, not linked yet): go round again
                }
                do {
                    LockSupport.park(this);
                } while (gate.isSleeping()); // only wake()'s CAS SLEEPING -> AWAKE ends the sleep
                gate.awake();
                Thread.interrupted();
            }
        }

        @Signal
        public void submit() {
            inbox.offer(3, TASK, 0);
            gate.wake();
        }
    }
}
