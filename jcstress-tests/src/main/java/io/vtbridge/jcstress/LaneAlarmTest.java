package io.vtbridge.jcstress;

import io.vtbridge.loop.LaneAlarm;
import io.vtbridge.loop.UrgentStart;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

import java.util.concurrent.ConcurrentLinkedQueue;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The latency lane's rescuer going to sleep while a start is queued ({@link LaneAlarm}). The starter
 * does what {@code LaneRescue.offerUrgent} and {@code LaneRescuer.urgentQueued} do: add the start
 * to the loop's list of pending lane starts (a {@link ConcurrentLinkedQueue}, as in the loop), then
 * ask whether the rescuer plans to look too late. The rescuer does what {@code LaneRescuer.run}
 * does before it parks: plan its next look (later than the start's deadline), then read the list's
 * earliest deadline.
 *
 * <p>r1: the starter would unpark the rescuer; r2: the rescuer saw the start and looks again instead
 * of parking. FORBIDDEN: neither, so the rescuer sleeps past the start's deadline and the rescue of a
 * start stuck behind a held loop comes late.
 */
@JCStressTest
@Description("lane list add + mustWake vs plan + list peek: the rescuer never sleeps past a queued start's deadline unwoken.")
@Outcome(id = "true, false", expect = ACCEPTABLE, desc = "The rescuer read the list first (empty); the starter sees its plan and unparks it.")
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "The starter read the old plan (looking soon); the rescuer's re-read finds the start.")
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "Each saw the other: a spare unpark.")
@Outcome(id = "false, false", expect = FORBIDDEN, desc = "Missed: the rescuer parks past the deadline and nobody wakes it.")
@State
public class LaneAlarmTest {

    private static final long DEADLINE = 1_000;   // the start's rescue deadline
    private static final long SLEEP_UNTIL = 5_000; // the rescuer's next regular look: later than the deadline

    private final ConcurrentLinkedQueue<UrgentStart> pending = new ConcurrentLinkedQueue<>();
    private final LaneAlarm alarm = new LaneAlarm();

    public LaneAlarmTest() {
        alarm.plan(0); // the rescuer is awake (it looks at 0, before any deadline)
    }

    @Actor
    public void starter(ZZ_Result r) {
        pending.add(new UrgentStart(() -> { }, DEADLINE));
        r.r1 = alarm.mustWake(DEADLINE);
    }

    @Actor
    public void rescuer(ZZ_Result r) {
        alarm.plan(SLEEP_UNTIL);
        UrgentStart earliest = pending.peek();
        r.r2 = earliest != null && earliest.deadline() - SLEEP_UNTIL < 0;
    }
}
