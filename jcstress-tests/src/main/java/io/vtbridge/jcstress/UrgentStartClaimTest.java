package io.vtbridge.jcstress;

import io.vtbridge.loop.UrgentStart;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The latency lane's hand-off: a start waiting in a loop's urgent queue is claimed either by the loop
 * (it polled the start and is about to mount it) or by the lane's rescuer (the loop was held past the
 * start's deadline, so it runs the start off the loop: on its own thread or the CPU pool), never by both, and the start runs exactly
 * once. Each actor does what its side of the real code does: {@code claim()}, then, if it won, run the
 * continuation ({@code LoopTurn.runUrgent}: mount it; {@code LaneRescue.rescueOverdueStarts}: hand it
 * to the rescuer's thread or the pool).
 *
 * <p>r1: 1 if the loop won, r2: 1 if the rescuer won, r3 (arbiter): how many times the continuation ran.
 */
public final class UrgentStartClaimTest {

    private UrgentStartClaimTest() {
    }

    @JCStressTest
    @Description("Loop and rescuer race for one latency-lane start: exactly one claims it, it runs once.")
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "The loop reached it first and mounted it.")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "The rescuer claimed it first and ran it off the loop.")
    @Outcome(expect = FORBIDDEN, desc = "Both or neither claimed it, or it ran twice or never.")
    @State
    public static class LoopVersusRescuer {
        final AtomicInteger runs = new AtomicInteger();
        final UrgentStart start = new UrgentStart(runs::incrementAndGet, 0L);

        @Actor
        public void loop(III_Result r) {
            if (start.claim()) {
                r.r1 = 1;
                start.continuation().run();
            }
        }

        @Actor
        public void rescuer(III_Result r) {
            if (!start.isClaimed() && start.claim()) {
                r.r2 = 1;
                start.continuation().run();
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = runs.get();
        }
    }
}
