package io.vtbridge.loop;

/**
 * How the latency lane's rescuer (the bridge's lane thread) and the threads that queue lane starts
 * agree on when the rescuer must look next, without a lock: a Dekker pair.
 *
 * <pre>
 *  starter (LaneRescue.offerUrgent)             rescuer (LaneRescuer.run)
 *  pendingUrgent.add(start)   CAS on the list   plan(wakeAt)               volatile store
 *  mustWake(start.deadline)   volatile load     read the lists' earliest   volatile loads
 *    true: unpark the rescuer                     earlier than wakeAt: look again now, do not park
 * </pre>
 *
 * Each side stores, then loads the other side's location, with sequentially consistent accesses, so
 * at least one sees the other: a start queued while the rescuer goes to sleep is either seen by its
 * re-check or wakes it. A missed wake-up would not lose the start (the loop runs it when its mount
 * ends); it would make its rescue late. jcstress: {@code LaneAlarmTest}.
 *
 * <p><b>Threading:</b> {@link #plan} by the rescuer only; {@link #mustWake} from any thread.
 */
public final class LaneAlarm {

    private volatile long plannedWake; // when the rescuer looks next (a nanoTime); 0 until it first plans

    /** The rescuer will look next at {@code wakeAt} (a {@code nanoTime}): then it re-reads the lists. Rescuer only. */
    public void plan(long wakeAt) {
        plannedWake = wakeAt;
    }

    /**
     * A start with rescue deadline {@code deadline} was put on its loop's list: whether the rescuer
     * plans to look only after that, and so must be woken. Any thread, after the list's CAS.
     */
    public boolean mustWake(long deadline) {
        return plannedWake - deadline > 0;
    }
}
