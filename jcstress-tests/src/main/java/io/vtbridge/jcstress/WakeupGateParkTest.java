package io.vtbridge.jcstress;

import io.vtbridge.loop.WakeupGate;
import io.vtbridge.queue.MpscLinkedQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import java.util.concurrent.locks.LockSupport;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The go-to-sleep handshake with a real park: a lost wake-up leaves the sleeper parked for good.
 *
 * <p>How jcstress 0.16 runs a {@link Mode#Termination} test (read from the runner it generates):
 * per round, a fresh daemon thread runs the {@code @Actor}; the runner thread waits until that
 * thread has started, runs the {@code @Signal}, then joins the actor for
 * {@code max(2 * time, 1000 ms)}. Terminated: TERMINATED (ERROR if it threw); still alive: STALE,
 * and the fork VM is ended. The actor is never interrupted. Even so the sleeper below does not let
 * anything but {@code wake()} end a sleep: after {@code park} returns it parks again while the gate
 * still says SLEEPING. A spurious return, an interrupt or a stray permit would otherwise send it
 * back to its queue check, find the task, and hide a lost wake-up.
 */
public final class WakeupGateParkTest {

    private WakeupGateParkTest() {
    }

    /**
     * The {@code @Actor} is a shard loop that has one task to run: the {@code LoopTurn} iteration
     * (poll the inbound queue) and its {@code idle()} handshake, same public calls in the same
     * order. The {@code @Signal} is {@code ShardLoop.execute()} from another thread: offer, then
     * wake.
     */
    @JCStressTest(Mode.Termination)
    @Description("A loop parked by the WakeupGate handshake is always woken by offer + wake().")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE,
            desc = "The loop took the task: its re-check found it, or it parked and wake() unparked it.")
    @Outcome(expect = FORBIDDEN,
            desc = "STALE: lost wake-up, the loop parked with the task queued and wake() saw no SLEEPING to unpark; ERROR: the loop threw.")
    @State
    public static class LoopParksUntilWoken {
        private final MpscLinkedQueue<Runnable> queue = new MpscLinkedQueue<>();
        private final WakeupGate gate = new WakeupGate();

        @Actor
        public void loop() {
            while (true) {
                if (queue.poll() != null) {  // LoopTurn.runRemote(inbound)
                    return;
                }
                gate.prepareToSleep();       // LoopIdle.park
                if (!queue.isEmpty()) {
                    gate.awake();
                    continue;                // in flight (swapped, not linked yet): go round again
                }
                do {
                    LockSupport.park(this);
                } while (gate.isSleeping()); // only wake()'s CAS SLEEPING -> AWAKE ends the sleep
                gate.awake();
                Thread.interrupted();        // as LoopIdle.park: a stray interrupt means nothing here
            }
        }

        @Signal
        public void execute() {
            queue.offer(WakeupGateDecisionTest.TASK); // sequentially consistent swap, then...
            gate.wake();                              // ...the load of the gate's state
        }
    }
}
