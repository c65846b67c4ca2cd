package io.vtbridge.loop;

import io.vtbridge.events.JfrEventSink;
import io.vtbridge.monitor.DelayCause;
import io.vtbridge.monitor.DelayHistogram;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The event model of one loop: per-kind counters of REQUEST, SUSPEND and RESUME, the coop budget,
 * and the classification of each mount.
 *
 * <p>Who records what:
 * <ul>
 *   <li>REQUEST and RESUME of a vtbridge primitive: the bridged virtual thread itself, before its
 *       request and after its wait ({@link #request}, {@link #resumed}).</li>
 *   <li>SUSPEND: the loop, when the mount ends, with the kind the primitive announced just before it
 *       parked ({@link #suspending}). A primitive that parks but is pinned does not unmount, so no
 *       SUSPEND is recorded for it: counted suspends are real unmounts.</li>
 *   <li>PARK: a mount that no primitive claimed was the resume of a JDK-native park (its RESUME
 *       PARK), and a mount that ended with no announced kind and no thread end was a JDK-native park
 *       (its SUSPEND PARK).</li>
 * </ul>
 *
 * <p>Scheduling delays: each mount begins with how long its continuation waited since it became
 * runnable; when the mount ends, the delay goes into the histogram of the mount's cause
 * ({@link DelayCause}): START if a vtbridge-created thread started, the kind of the wait a primitive
 * resumed from, else PARK.
 *
 * <p><b>Threading:</b> every method except {@link #count} and {@link #delays} runs on the loop's thread (the loop, or
 * a virtual thread it carries): the fields are loop-owned and plain. {@link #count} reads the
 * counters (opaque, single writer) from any thread.
 */
public final class LoopEvents {

    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final EventKind[] KINDS = EventKind.values();
    private static final EventPhase[] PHASES = EventPhase.values();

    private final int shard;
    private final EventSink sink;     // null: counters only
    private final int coopBudget;
    private final long[] counts = new long[PHASES.length * KINDS.length]; // setOpaque by the loop owner, getOpaque by readers

    // Per-mount state: loop-owned, reset by beginMount().
    private boolean resumeClaimed;    // a primitive recorded this mount's RESUME, or the mount started a thread
    private boolean silent;           // the mount ends in an internal yield that is no event (LoopServices.isPinned)
    private EventKind suspendKind;    // the kind a primitive announced before parking; null: none
    private boolean threadEnded;      // the mounted thread finished in this mount
    private long threadId = -1;       // the mounted thread, when vtbridge code in it said so
    private long mountStart;          // nanoTime at the mount, only with a sink
    private int fastPaths;            // fast paths taken in this mount (the coop budget)
    private long mountDelay;          // how long this mount's continuation waited to be mounted; -1: not measured
    private int delayCause;           // this mount's DelayCause ordinal; NO_CAUSE: not claimed yet (a PARK resume)
    private boolean jfr;              // set before the loop starts: commit SUSPEND to JFR from the thread
    private final DelayRecorder delays; // null: scheduling delays are not measured

    private static final int NO_CAUSE = -1;
    private static final int NOT_RECORDED = -2; // the resume of a pinning probe: no event, no delay

    LoopEvents(int shard, EventSink sink, int coopBudget, boolean measureDelays) {
        this.shard = shard;
        this.sink = sink;
        this.coopBudget = coopBudget;
        this.delays = measureDelays ? new DelayRecorder() : null;
    }

    /** A request of {@code kind} by the current (bridged) thread. */
    public void request(EventKind kind) {
        record(EventPhase.REQUEST, kind, Thread.currentThread().threadId(), 0L);
    }

    /**
     * The current thread is about to park for {@code kind}: if the park unmounts it, the loop
     * records SUSPEND {@code kind} when the mount ends. Cleared by {@link #resumed} or {@link #notSuspended}.
     */
    public void suspending(EventKind kind) {
        suspendKind = kind;
        threadId = Thread.currentThread().threadId();
        if (jfr && JfrEventSink.INSTANCE.wants()) {
            // JFR loses events committed on the loop thread (JfrEventSink): the thread commits its SUSPEND.
            JfrEventSink.commit(shard, threadId, EventPhase.SUSPEND, kind, System.nanoTime());
        }
    }

    /** Whether JFR events are on for this loop (the bridge's jfrEvents setting). Before the loop starts. */
    public void jfr(boolean on) {
        this.jfr = on;
    }

    /**
     * The current thread is about to yield for vtbridge's own purposes (the pinning probe): that
     * suspend and its resume are no events. The resume must call {@link #resumedSilently(boolean)}.
     */
    public void suspendingSilently() {
        silent = true;
    }

    /**
     * After {@link #suspendingSilently()}: back, with nothing recorded. {@code unmounted}: whether
     * the yield really unmounted (a pinned thread's does not, and then the current mount is still
     * the one whose resume is to be classified).
     */
    public void resumedSilently(boolean unmounted) {
        if (unmounted) {
            resumeClaimed = true;
            delayCause = NOT_RECORDED;
        }
        silent = false;
    }

    /** The announced park returned without unmounting (a pinned thread, or nothing to wait for). */
    public void notSuspended() {
        suspendKind = null;
    }

    /** The current thread resumed from a wait for {@code kind} (recorded after each park that unmounted it). */
    public void resumed(EventKind kind) {
        resumeClaimed = true;
        delayCause = DelayCause.of(kind).ordinal();
        suspendKind = null;
        long id = Thread.currentThread().threadId();
        threadId = id;
        record(EventPhase.RESUME, kind, id, 0L);
    }

    /**
     * The loop moved the thread of this mount, which has just unmounted, to the CPU pool: a REQUEST
     * HOG for it. On the loop's carrier, after the unmount, before the mount's end.
     */
    void hogMoved() {
        record(EventPhase.REQUEST, EventKind.HOG, threadId, 0L);
    }

    /** A request was served on its fast path, without suspending: it spends one unit of the coop budget. */
    public void fastPath() {
        fastPaths++;
    }

    /** Whether the current thread has taken {@code coopBudget} fast paths in this run. */
    boolean budgetSpent() {
        return fastPaths >= coopBudget;
    }

    /** After a coop yield (or a pinned thread's attempt at one). */
    void resetBudget() {
        fastPaths = 0;
    }

    /**
     * A runner takes a submitted task: its scheduling delay ({@code clock - queuedAt}) is recorded as
     * a start's. {@code queuedAt} 0: not measured.
     */
    void taskStarted(long queuedAt, long clock) {
        if (delays != null && queuedAt != 0) {
            delays.record(DelayCause.START.ordinal(), Math.max(0, clock - queuedAt));
        }
    }

    /** A vtbridge-created thread starts in this mount (not a resume). */
    public void threadStarted() {
        resumeClaimed = true;
        delayCause = DelayCause.START.ordinal();
        threadId = Thread.currentThread().threadId();
    }

    /** A vtbridge-created thread ends in this mount (not a suspend). */
    public void threadEnded() {
        threadEnded = true;
    }

    /** Whether scheduling delays are measured on this loop. */
    public boolean measuresDelays() {
        return delays != null;
    }

    /** A snapshot of the scheduling delays of {@code cause} (empty if they are not measured). Any thread. */
    public DelayHistogram delays(DelayCause cause) {
        return delays == null ? DelayHistogram.empty() : delays.snapshot(cause);
    }

    /** The count of {@code phase} events of {@code kind} so far. Any thread. */
    public long count(EventPhase phase, EventKind kind) {
        return (long) COUNT.getOpaque(counts, phase.ordinal() * KINDS.length + kind.ordinal());
    }

    // ---- the loop's side ------------------------------------------------------------------------

    /** @param delay how long the continuation waited to be mounted, in nanoseconds; -1 if not measured */
    void beginMount(long delay) {
        mountDelay = delay;
        delayCause = NO_CAUSE;
        resumeClaimed = false;
        silent = false;
        suspendKind = null;
        threadEnded = false;
        threadId = -1;
        fastPaths = 0;
        if (sink != null && sink.wants()) {
            mountStart = System.nanoTime();
        }
    }

    void endMount() {
        if (delays != null && mountDelay >= 0 && delayCause != NOT_RECORDED) {
            delays.record(delayCause == NO_CAUSE ? DelayCause.PARK.ordinal() : delayCause, mountDelay);
        }
        if (!resumeClaimed) {
            record(EventPhase.RESUME, EventKind.PARK, threadId, mountStart);
        }
        if (!threadEnded && !silent) {
            EventKind kind = suspendKind;
            record(EventPhase.SUSPEND, kind == null ? EventKind.PARK : kind, threadId, 0L);
        }
    }

    private void record(EventPhase phase, EventKind kind, long thread, long at) {
        int i = phase.ordinal() * KINDS.length + kind.ordinal();
        COUNT.setOpaque(counts, i, counts[i] + 1);
        if (sink != null && sink.wants()) {
            sink.accept(shard, thread, phase, kind, at != 0L ? at : System.nanoTime());
        }
    }
}
