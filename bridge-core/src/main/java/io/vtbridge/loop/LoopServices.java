package io.vtbridge.loop;

import io.vtbridge.internal.JdkAccess;
import io.vtbridge.internal.VarHandles;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.timer.Timer;
import io.vtbridge.timer.TimerQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * What a shard loop offers the bridged virtual threads it carries: loop timers and the sleep built
 * on them, the bracket around every wait that feeds the event model ({@link #beginWait},
 * {@link #endWait}), the coop budget, the pinning probe, and the accounting of thread starts and
 * ends. The vtbridge primitives ({@code Bridge.sleep}, {@code Bridge.await}, the locks, the
 * offloads) are written against this class.
 *
 * <p><b>Threading:</b> every method runs in a bridged virtual thread of this loop, i.e. on the loop's
 * owner, except while a hand-off is moving the loop to a fresh carrier: then a thread that was stuck
 * on the old carrier may still call {@link #addTimer}, {@link #removeTimer},
 * {@link #countFromCurrentThread} and {@link #threadEnds}, which take cross-thread paths for it.
 */
public final class LoopServices {

    private final ShardLoop loop;
    private final LoopOwnership ownership;
    private final TimerQueue timers;      // loop-owned
    private final LoopEvents events;
    private final LoopCounters counters;
    private boolean probing;              // loop-owned: a bridged thread is yielding to probe for pinning (isPinned)

    LoopServices(ShardLoop loop, LoopOwnership ownership, TimerQueue timers, LoopEvents events, LoopCounters counters) {
        this.loop = loop;
        this.ownership = ownership;
        this.timers = timers;
        this.events = events;
        this.counters = counters;
    }

    /**
     * Suspends the calling bridged virtual thread for {@code nanos} on a loop timer: the virtual
     * thread unmounts, the loop keeps running, and a later iteration resumes it. No JDK timer thread
     * is involved, except for a pinned thread, which cannot unmount: that one sleeps with
     * {@code Thread.sleep}, holding the carrier (see {@link #currentThreadIsPinned()}).
     *
     * @throws InterruptedException if the thread is interrupted before or while sleeping; the timer is removed
     */
    public void sleep(long nanos) throws InterruptedException {
        assert loop.inLoop() : "sleep called off loop " + loop.index();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (nanos <= 0) {
            return;
        }
        long deadline = System.nanoTime() + Math.min(nanos, ShardLoop.MAX_DELAY_NANOS);
        events.request(EventKind.SLEEP);
        if (isPinned()) {
            // A pinned virtual thread cannot unmount: its park would park the carrier, i.e. this
            // loop, and the loop timer meant to wake it could never fire. Block the carrier for the
            // duration instead, as any blocking call of a pinned thread does.
            long remaining = deadline - System.nanoTime();
            if (remaining > 0) {
                Thread.sleep(Duration.ofNanos(remaining));
            }
            return;
        }
        SleepTimer timer = new SleepTimer(deadline, Thread.currentThread());
        addTimer(timer);
        try {
            while (!timer.hasExpired()) {
                long token = beginWait(EventKind.SLEEP);
                LockSupport.park(timer);
                endWait(EventKind.SLEEP, token);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            // An idle shard may have taken this thread meanwhile (RunnerSteal): removeTimer takes
            // the cross-thread path then.
            removeTimer(timer);
        }
    }

    /**
     * Whether the calling bridged virtual thread is pinned to its carrier (inside a class
     * initialiser or a native frame on every JDK; inside {@code synchronized} or {@code Object.wait}
     * on JDK 21–23). For vtbridge primitives that must not park on a loop-owned wait when the thread
     * cannot unmount.
     */
    public boolean currentThreadIsPinned() {
        assert loop.inLoop() : "currentThreadIsPinned called off loop " + loop.index();
        return isPinned();
    }

    /**
     * The JDK's own check ({@code Continuation.isPinned}) is not reachable with the one flag vtbridge
     * needs, so this probes: a {@code Thread.yield()} unmounts only an unpinned thread, and its
     * resume is a mount of this loop. A pinned yield returns at once with no mount in between. Cost:
     * one yield (a same-shard suspend and resume, about 180 ns); the resume goes to the head of the
     * run queue ({@link #takeProbe()}), so the probe does not wait behind other work.
     */
    private boolean isPinned() {
        Thread carrier = JdkAccess.currentCarrierThread();
        long mounts = counters.get(LoopCounter.MOUNTS);
        probing = true;   // the yield's resume, the next execute() on this loop, jumps the queue
        events.suspendingSilently(); // the probe is no event of the event model
        Thread.yield();
        if (JdkAccess.currentCarrierThread() != carrier) {
            // It unmounted, so it is not pinned, and it resumed on another carrier: a thread this
            // loop had taken from another (its yield went to its own loop, which may run it now),
            // or a hog moved to the CPU pool. This loop's per-mount state is no longer its to touch
            // (its flag is cleared when the mount ends); the loop that carries it now, if any,
            // gets the probe's silent resume.
            ShardLoop now = ShardLoop.current();
            if (now != null) {
                now.events().resumedSilently(true);
            }
            return false;
        }
        probing = false;  // a pinned yield never reached execute()
        boolean pinned = counters.get(LoopCounter.MOUNTS) == mounts;
        events.resumedSilently(!pinned); // a pinned probe did not unmount: this mount's classification stands
        return pinned;
    }

    /**
     * After each mount, on the owner: a probe's yield re-submits during the mount that makes it, so
     * a flag still set now was not taken here (the thread belongs to another loop, which got the
     * re-submission: a thread this loop took from it) and must not send an unrelated resume to
     * the head of the queue.
     */
    void probeEnded() {
        probing = false;
    }

    /** For {@link ShardLoop#execute} on the owner: whether this resume is a pinning probe's (and it is taken). */
    boolean takeProbe() {
        if (!probing) {
            return false;
        }
        probing = false;
        return true;
    }

    /**
     * The coop budget check, at the start of each vtbridge request in bridged code: a virtual thread
     * that has taken {@code coopBudget} fast paths since it was mounted yields (a YIELD event), so
     * that one hot thread cannot hold its shard. A pinned thread cannot yield; it goes on.
     *
     * @return the loop that carries the thread after the check: this one, or, after a yield, the
     *         loop that resumed it (another shard may take it), or null off every loop. Callers use
     *         this, not the loop they started on, for what they record next.
     */
    public ShardLoop coopCheck() {
        if (!events.budgetSpent()) {
            return loop;
        }
        events.request(EventKind.YIELD);
        long token = beginWait(EventKind.YIELD);
        Thread.yield();
        endWait(EventKind.YIELD, token); // a pinned thread's yield does not unmount: no SUSPEND, no RESUME
        if (loop.inLoop()) {
            events.resetBudget();
            return loop;
        }
        // Another loop took the thread after its yield (the steal), or it runs off every loop now (a
        // hog moved to the CPU pool): that mount began with a fresh budget, and this loop's event
        // state belongs to whatever this loop runs now.
        return ShardLoop.current();
    }

    /**
     * The start of a vtbridge request in bridged code on this loop: the coop check (if {@code coop};
     * a call that never gives up the carrier, such as a {@code tryLock()}, skips it), then the
     * REQUEST event of {@code kind} on the loop that carries the thread after it.
     *
     * @return the loop that carries the thread now (this one, or another after a yield), or null off
     *         every loop; callers use it, not this one, for what they record next
     */
    public ShardLoop request(EventKind kind, boolean coop) {
        ShardLoop here = coop ? coopCheck() : loop;
        if (here != null) {
            here.events().request(kind);
        }
        return here;
    }

    /**
     * Announces that the calling bridged thread is about to wait for {@code kind} (it will park, and
     * may unmount). Returns a token for {@link #endWait}. The SUSPEND is recorded by the loop if the
     * wait really unmounts the thread.
     *
     * <p>The caller may hold this loop from before an earlier park, after which an idle loop may
     * have taken the thread ({@link RunnerSteal}): the event then goes to the loop that carries the
     * thread now, whose per-mount state is the one this thread may touch. Off every loop's owner
     * (a carrier that lost its loop to a hand-off) nothing is recorded.
     */
    public long beginWait(EventKind kind) {
        LoopServices here = carrying();
        if (here == null) {
            return NOT_RECORDED;
        }
        here.events.suspending(kind);
        return here.waitToken();
    }

    /**
     * After the wait begun with {@code token}: records the RESUME, on the loop that carries the
     * thread now, if the thread was unmounted meanwhile (its loop has mounted since, or it is on
     * another loop now).
     */
    public void endWait(EventKind kind, long token) {
        LoopServices here = carrying();
        if (here == null || token == NOT_RECORDED) {
            return;
        }
        if (here.waitToken() != token) {
            here.events.resumed(kind);
        } else {
            here.events.notSuspended(); // it never unmounted (the permit was there, or the thread is pinned)
        }
    }

    /** A {@link #beginWait} token: no event was recorded (not on a loop's owner). */
    private static final long NOT_RECORDED = -1L;

    /** The services of the loop that carries the calling thread: this one's, usually; null off every loop's owner. */
    private LoopServices carrying() {
        if (loop.inLoop()) {
            return this;
        }
        ShardLoop current = ShardLoop.current();
        return current == null ? null : current.services();
    }

    /** This loop's index and mount count, for {@link #endWait}: a different loop's token never matches. */
    private long waitToken() {
        return ((long) loop.index() << 48) | (counters.get(LoopCounter.MOUNTS) & 0xFFFF_FFFF_FFFFL);
    }

    /**
     * Counts {@code counter} for code running in a bridged thread of this loop: on the loop's
     * owner a plain single-writer count, elsewhere (a carrier that has just lost the loop to a
     * hand-off) an atomic one.
     */
    public void countFromCurrentThread(LoopCounter counter) {
        if (loop.inLoop()) {
            counters.increment(counter);
        } else {
            counters.incrementShared(counter);
        }
    }

    /**
     * A thread vtbridge created (a task's, or {@code Shard.newThread}'s) starts: first thing in its
     * body. It may start off the loop (a latency-lane start the rescuer ran on the CPU pool).
     *
     * @return whether it starts on the loop's owner (then its own counts may be plain ones)
     */
    public boolean threadStarts() {
        if (loop.inLoop()) {
            counters.increment(LoopCounter.THREADS_STARTED);
            events.threadStarted();
            return true;
        }
        counters.incrementShared(LoopCounter.THREADS_STARTED);
        return false;
    }

    /** That thread ends: last thing in its body. It may end on a carrier that lost the loop to a hand-off. */
    public void threadEnds() {
        countFromCurrentThread(LoopCounter.THREADS_ENDED);
        if (loop.inLoop()) {
            events.threadEnded();
        }
    }

    /**
     * Arms a loop timer for the calling bridged thread. On the loop's owner it goes straight into
     * the loop-owned queue; on a carrier that has just lost the loop to a hand-off, the loop's new
     * owner adds it (through the inbound queue). Either way it expires on the loop's thread.
     */
    public void addTimer(Timer timer) {
        if (ownership.enterOwned()) {
            timers.add(timer);
            ownership.endOwned();
        } else {
            // A park timeout cancelled before this add reaches the owner must not sit on the heap.
            loop.execute(() -> {
                if (!(timer instanceof ParkTimeout park) || !park.isDone()) {
                    timers.add(timer);
                }
            });
        }
    }

    /** Removes a timer armed with {@link #addTimer} (a no-op if it fired). As addTimer, on whichever thread owns the loop. */
    public void removeTimer(Timer timer) {
        if (ownership.enterOwned()) {
            timers.remove(timer);
            ownership.endOwned();
        } else {
            loop.execute(() -> timers.remove(timer));
        }
    }

    /** A loop timer that resumes one sleeping virtual thread. */
    private static final class SleepTimer extends Timer {
        private static final VarHandle EXPIRED = VarHandles.field(MethodHandles.lookup(), "expired", boolean.class);

        private final Thread sleeper;
        private boolean expired; // setRelease by the loop in expire(); getAcquire by the sleeper in hasExpired()

        SleepTimer(long deadline, Thread sleeper) {
            super(deadline);
            this.sleeper = sleeper;
        }

        @Override
        protected void expire() {
            EXPIRED.setRelease(this, true);   // pairs with the getAcquire in hasExpired()
            LockSupport.unpark(sleeper);        // on the loop thread: lands in the local run queue
        }

        boolean hasExpired() {
            return (boolean) EXPIRED.getAcquire(this);
        }
    }
}
