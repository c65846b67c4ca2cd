package io.vtbridge.jcstress;

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
 * The latency lane's rescuer thread starting while a start is queued. The rescuer's thread is
 * started lazily, so a starter may find no thread to wake yet. The starter does what
 * {@code LaneRescue.offerUrgent} and {@code LaneRescuer.urgentQueued} do: add the start to the
 * loop's list of pending lane starts (a {@link ConcurrentLinkedQueue}, as in the loop), then read
 * the rescuer's published thread (a volatile field); null means it leaves the start to the thread's
 * first look (its start has been asked for already). The new thread does what the start of
 * {@code LaneRescuer.run} does: publish itself, then take its first look at the list.
 *
 * <p>r1: the starter saw the thread (and goes on to {@code LaneAlarm}: {@code LaneAlarmTest}); r2:
 * the first look found the start. FORBIDDEN: neither, so the starter relies on a first look that has
 * already happened and missed the start: with the rescuer then parked idle, nothing would rescue it.
 */
@JCStressTest
@Description("lane list add + thread read vs thread publish + first look: a start queued while the rescuer starts is seen by one side.")
@Outcome(id = "true, false", expect = ACCEPTABLE, desc = "The thread looked first (empty list); the starter sees it and wakes it through the alarm.")
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "The starter read no thread; the thread's first look finds the start.")
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "Each saw the other.")
@Outcome(id = "false, false", expect = FORBIDDEN, desc = "Missed: no thread to wake, and the first look came before the start.")
@State
public class LaneRescuerStartTest {

    private final ConcurrentLinkedQueue<UrgentStart> pending = new ConcurrentLinkedQueue<>();
    private volatile Thread thread; // as LaneRescuer.thread: published by the rescuer's thread itself

    @Actor
    public void starter(ZZ_Result r) {
        pending.add(new UrgentStart(() -> { }, 1_000));
        r.r1 = thread != null;
    }

    @Actor
    public void rescuer(ZZ_Result r) {
        thread = Thread.currentThread();
        r.r2 = pending.peek() != null;
    }
}
