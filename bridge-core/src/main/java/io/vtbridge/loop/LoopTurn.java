package io.vtbridge.loop;

import io.vtbridge.queue.MpscLinkedQueue;
import io.vtbridge.queue.StampedSource;
import io.vtbridge.queue.StripedMpscQueue;
import io.vtbridge.timer.TimerQueue;

/**
 * The body of a loop thread: the iterations ("turns") of one {@link ShardLoop}. A turn is bounded
 * by time, not only by counts: it has a slice ({@code turnSlice}, 500 µs by default), and each source
 * of work gets a share of it, in this order:
 * <ol>
 *   <li>due loop timers ({@code Bridge.sleep}, lock timeouts), up to {@code 8 × batch}: firing one
 *       only queues its thread's resume locally, so they take no share;</li>
 *   <li>the latency lane (starts submitted with {@code Priority.HIGH}), up to {@code batch}: 1/8 of
 *       the slice; and again between the mounts of every later step, whenever the loop reads its
 *       clock, so a latency-lane start waits for at most one share, not a whole turn;</li>
 *   <li>resumes from the JDK's timer thread (on JDK 25: expired timed waits, and timed parks armed
 *       off the loop's owner; a park armed on the owner is a loop timer, step 1): 2/8;</li>
 *   <li>resumes issued by other threads (a lock hand-off from another shard, a completion, a socket
 *       wake-up): 2/8;</li>
 *   <li>resumes issued on the loop's own thread (the local run queue; no atomics), only those queued
 *       before this step: 2/8;</li>
 *   <li>submitted tasks, run inline by the loop's active runner ({@link TaskRunners}), up to
 *       {@code 8 × batch}: 1/8 at least, counted for each busy source on its own ({@link #runTasks});</li>
 *   <li>new thread starts from the inbound queue, up to {@code batch}: 1/8, counted for each busy
 *       stripe (one stripe per submitting thread, {@link RunQueues#inbound}) on its own, served
 *       round robin, so a submission waits for its own stripe's earlier starts and about one start
 *       of each other busy stripe, not for another submitter's burst ({@link #runInbound});</li>
 *   <li>if the turn found no work: spin {@code idleSpins} turns, and up to
 *       {@value IdleSpin#ADAPTIVE_SPIN_MICROS} µs more if the loop's last sleep was short
 *       ({@link IdleSpin}), then park until the next timer or a wake-up, through the
 *       {@link WakeupGate} handshake; a timed park asks to end {@link TimerLead} earlier than the
 *       timer (the kernel ends it late), and the turns spin the rest ({@link LoopIdle}).</li>
 * </ol>
 * The owned steps (3 to 5) take at most {@code 8 × batch} mounts each. A share is a deadline: each
 * step may run until the end of the shares so far, so time a step leaves unused passes to the steps
 * after it (an idle loop that gets a burst of starts gives them the whole slice), and at least for its
 * own share from when it begins, so steps that overran before it cannot take its time away (new
 * starts behind saturated owned work still get an eighth of the slice every turn, not one mount). A
 * non-empty source is never skipped, and a turn lasts at most about a slice plus, per step, the mount
 * that crossed its deadline, plus the inbound share and a start for each busy inbound stripe after the
 * first.
 *
 * <p>Why this order and these shares: a resume that is due belongs to work already admitted, and its
 * lateness is what users see, so owned work goes first and gets 3/4 of the slice; new starts get the
 * rest but never fewer than one per turn. Counts alone are no bound when mounts are long: with 50 to
 * 200 µs mounts of a real library (H2 over JDBC), a turn of {@code 8 × 128} resumes per step lasted
 * 100 ms and more, and a new submission waited behind several such turns (docs/BENCHMARKS.md). The
 * latency lane is the InfluxDB IOx guideline's {@code /ping}: work that must start now, whatever the
 * backlog.
 *
 * <p><b>The clock.</b> {@link System#nanoTime()} costs about as much as a same-shard resume's
 * bookkeeping, so the loop reads it at the start of each turn and then every few mounts: after each
 * reading it divides the time since the previous one by the mounts in between, and reads again
 * after as many mounts as fit into 1/32 of the slice (at most 16, at least 1). Long mounts are thus
 * timed one by one, short ones in groups, and a deadline is overrun by about a 32nd of the slice plus
 * the one mount that crossed it. The same readings stamp same-shard resumes and measure every
 * continuation's scheduling delay ({@link DelayRecorder}).
 *
 * <p>The loop runs only this code and the continuations it mounts: it never logs, takes no lock of
 * its own, and calls no user code except by mounting a virtual thread. (One JDK lock can be taken on
 * the loop thread: when a mounted virtual thread parks with a timeout, {@code Thread.sleep}, the JDK
 * arms the timer under its {@code ScheduledThreadPoolExecutor}'s queue lock on JDKs other than 25;
 * no virtual thread ever holds that lock. See {@code JdkAccess.spreadTimerQueues}.)
 *
 * <p>With hand-off on, a carrier that lost the loop in a mount ({@link LoopOwnership}) leaves the
 * turn at once, touching nothing loop-owned; the new owner runs the turns from then on.
 *
 * <p><b>Threading:</b> {@link #run} is the body of the loop's {@link LoopThread} (and of each carrier
 * a hand-off starts); everything here runs on the loop's owner, {@link #now} included.
 */
final class LoopTurn {

    /** The most mounts between two clock readings. */
    static final int MAX_CLOCK_EVERY = 16;

    private final ShardLoop loop;
    private final RunQueues queues;
    private final TimerQueue timers;       // loop-owned
    private final LoopCounters counters;
    private final LoopEvents events;
    private final LoopGauges gauges;
    private final LoopOwnership ownership;
    private final int batch;
    private final int ownedBatch;
    private final LoopIdle idle;           // loop-owned: what a turn that found no work does next
    private final long eighth;             // an eighth of the slice, the unit of the shares
    private final long grain;              // a 32nd of the slice: what a group of mounts between clock readings may take

    private final boolean everyMount;      // read the clock after every mount (hogs are moved: mounts are timed one by one)
    private long now;                      // loop-owned: the latest clock reading
    private Runnable mounted;              // loop-owned: the continuation being mounted, null between mounts
    private long mountStart;               // loop-owned: the clock reading the current mount began at
    private int sinceClock;                // loop-owned: mounts since that reading
    private int clockEvery = 1;            // loop-owned: mounts between readings, adapted at each reading
    private int inboundCursor;             // loop-owned: the inbound stripe served first in the next turn
    private final long[] stripeSpent = new long[RunQueues.INBOUND_STRIPES]; // loop-owned: each stripe's time in this turn's inbound step
    private TaskRunners runners;           // loop-owned: the loop's task runners (set when the turns begin), or null

    LoopTurn(ShardLoop loop, RunQueues queues, TimerQueue timers, WakeupGate gate, LoopCounters counters,
             LoopEvents events, LoopGauges gauges, LoopOwnership ownership, LoopSettings settings) {
        this.loop = loop;
        this.queues = queues;
        this.timers = timers;
        this.counters = counters;
        this.events = events;
        this.gauges = gauges;
        this.ownership = ownership;
        this.batch = settings.batch();
        this.ownedBatch = (int) Math.min((long) settings.batch() * ShardLoop.OWNED_SHARE, Integer.MAX_VALUE);
        this.idle = new LoopIdle(loop, queues, timers, gate, counters, gauges, settings.idleSpins());
        this.eighth = Math.max(1, settings.sliceNanos() / 8);
        this.grain = Math.max(1, settings.sliceNanos() / 32);
        this.everyMount = settings.moveHogs();
    }

    /**
     * Whether {@code continuation} is the one being mounted: an {@code execute()} of it on the loop's
     * own carrier is then its thread's own re-submission (a yield, or a park whose permit was there),
     * made by the JDK after the thread unmounted. Owner only.
     */
    boolean isMounted(Runnable continuation) {
        return mounted == continuation;
    }

    /** The clock reading the current mount began at. Owner only. */
    long mountStart() {
        return mountStart;
    }

    /** A runner begins a task inside its mount: from now on the mount is timed from {@code clock}. Owner only. */
    void restartMountClock(long clock) {
        mountStart = clock;
    }

    /** How much earlier than its next timer this loop asks to wake ({@link TimerLead}), ns. Owner only. */
    long timerLeadNanos() {
        return idle.timerLeadNanos();
    }

    /** The bridge's limit on loops in an adaptive spin. Before the loop starts. */
    void spinLimit(SpinLimit limit) {
        idle.spinLimit(limit);
    }

    /** The loop thread's body. */
    void run() {
        try {
            loop();
        } catch (Throwable e) { // not a continuation's: the loop's own machinery failed (an OOM, say)
            if (!ownership.lost()) {
                loop.recordError(e);
            }
        } finally {
            if (ownership.lost()) {
                ownership.retired(); // a carrier that lost the loop leaves; the new owner runs on
            } else {
                idle.loopExits(); // a loop stopped inside its spin leaves the other loops their place
                loop.terminate(); // never leave a dead loop that still looks RUNNING to execute()
            }
        }
    }

    /** The loop's latest clock reading: the stamp of a resume issued on the loop's own thread. Owner only. */
    long now() {
        return now;
    }

    private void loop() {
        runners = loop.runners();
        if (runners != null) {
            runners.ownerChanged(); // after a hand-off: the runner stuck on the old carrier is not ours any more
        }
        while (loop.isRunning()) {
            long start = readClock();
            gauges.busy(start, counters.get(LoopCounter.MOUNTS));
            int work = fireTimers();
            work += runUrgent(batch, deadline(start + eighth, eighth));
            if (ownership.lost()) {
                return;
            }
            work += runRemote(queues.expiries, ownedBatch, deadline(start + 3 * eighth, 2 * eighth), LoopCounter.EXPIRY_SCHEDULES);
            if (ownership.lost()) {
                return;
            }
            work += runRemote(queues.resumes, ownedBatch, deadline(start + 5 * eighth, 2 * eighth), LoopCounter.REMOTE_SCHEDULES);
            if (ownership.lost()) {
                return;
            }
            work += runLocal(deadline(start + 7 * eighth, 2 * eighth));
            if (ownership.lost()) {
                return;
            }
            if (runners != null && runners.stealing()) {
                // This loop's runners of unkeyed tasks made runnable (RunnerSteal): resumes of its
                // own, as the local ones; those a peer took meanwhile are not here any more.
                work += runRemote(runners.steal, ownedBatch, deadline(start + 7 * eighth, 2 * eighth), LoopCounter.LOCAL_SCHEDULES);
                if (ownership.lost()) {
                    return;
                }
            }
            work += runTasks(deadline(start + 8 * eighth, eighth));
            if (ownership.lost()) {
                return;
            }
            work += runInbound(deadline(start + 8 * eighth, eighth));
            if (ownership.lost()) {
                return;
            }
            if (work == 0 && runners != null && runners.stealing()) {
                work += runStolen();
                if (ownership.lost()) {
                    return;
                }
            }
            if (runners != null) {
                runners.flushReleases();
                runners.turnEnded(work > 0, work == 0 && idle.countSpent());
            }
            if (work > 0) {
                // Only turns that found work are counted: an idle spin writes nothing, so it does
                // not bounce the counters' cache line under threads that read them.
                counters.increment(LoopCounter.ITERATIONS);
                gauges.publish(queues.local.size(), timers.size(), now - start);
                loop.publishSettled();
                idle.workFound();
            } else {
                idle.rest(now, runners);
            }
        }
        retireRunners();
    }

    /**
     * Submitted tasks, run by the loop's runners ({@link TaskRunners}), with the inbound step's
     * share: the active runner is mounted and runs tasks one after another until the step's deadline
     * or {@code 8 × batch} tasks; a runner that blocks inside a task leaves the step to a fresh one.
     * A latency-lane start waits for at most one task.
     */
    private int runTasks(long deadline) {
        if (runners == null || !runners.sources.hasTasks()) {
            return 0;
        }
        runners.beginStep(deadline, now, ownedBatch);
        int mounts = 0;
        int urgent = 0;
        Runnable continuation;
        while ((continuation = runners.nextMount(now)) != null) {
            mounts++;
            mount(continuation, 0, true);
            if (ownership.lost()) {
                return mounts + urgent;
            }
            sinceClock++;
            readClock();
            if (!queues.urgent.isEmpty()) {
                urgent += runUrgent(1, now);
                if (ownership.lost()) {
                    return mounts + urgent;
                }
            }
        }
        return Math.max(mounts, runners.sources.tasksInStep()) + urgent;
    }

    /** At the loop's exit: its idle runners end, each in one last mount (a runner inside a task is abandoned). */
    private void retireRunners() {
        if (runners == null) {
            return;
        }
        Runnable continuation;
        for (int i = 0; i <= TaskRunners.MAX_IDLE && (continuation = runners.nextRetiring()) != null; i++) {
            mount(continuation, 0, true);
            if (ownership.lost()) {
                return;
            }
        }
    }

    /**
     * The deadline of a step: the end of the shares so far ({@code planned}), so that time the steps
     * before it left unused passes on to it, but never less than its own {@code share} from now, so
     * that steps before it that overran cannot take its share away.
     */
    private long deadline(long planned, long share) {
        long own = now + share;
        return planned - own > 0 ? planned : own;
    }

    /**
     * New starts, up to {@code batch} in all, from the inbound queue's stripes (one per submitting
     * thread): round robin, one start per busy stripe per pass, and each stripe for at most the
     * step's time ({@code deadline}, at least an eighth of the slice from now), counted per stripe
     * (the clock is read after every start here). So a submitter whose starts are short (a trivial
     * task every millisecond) drains its stripe within the turn while another's long starts take
     * their time one at a time, and a lone submission waits behind at most one start of each other
     * busy stripe. The step lasts at most its time once per busy stripe, plus one start each; with
     * one submitter it is the plain time-bounded step. The stripe served first rotates per turn.
     */
    private int runInbound(long deadline) {
        StripedMpscQueue<Runnable> inbound = queues.inbound;
        int stripes = inbound.stripes();
        long allowance = Math.max(deadline - now, 1);
        int first = inboundCursor++;
        long eligible = inbound.usedStripes(); // stripes not yet seen empty or spent in this step
        if (eligible == 0) {
            return 0;
        }
        java.util.Arrays.fill(stripeSpent, 0L);
        int n = 0;
        int urgent = 0;
        while (eligible != 0 && n < batch) {
            for (int i = 0; i < stripes && n < batch; i++) {
                int index = (first + i) & (stripes - 1);
                long bit = 1L << index;
                if ((eligible & bit) == 0) {
                    continue;
                }
                MpscLinkedQueue<Runnable> stripe = inbound.stripe(index);
                Runnable continuation = stripe.poll();
                if (continuation == null) {
                    eligible &= ~bit;
                    continue;
                }
                long began = now;
                n++;
                counters.increment(LoopCounter.REMOTE_SCHEDULES); // before the mount, as in runRemote
                mount(continuation, stripe.polledStamp());
                if (ownership.lost()) {
                    return n + urgent;
                }
                sinceClock++;
                readClock();
                stripeSpent[index] += now - began;
                if (stripeSpent[index] >= allowance) {
                    eligible &= ~bit;
                }
                if (!queues.urgent.isEmpty()) {
                    urgent += runUrgent(1, now);
                    if (ownership.lost()) {
                        return n + urgent;
                    }
                }
            }
        }
        return n + urgent;
    }

    /** Up to {@code limit} continuations of {@code queue}, until {@code deadline} (at least one), each counted in {@code counter}. */
    private int runRemote(StampedSource<Runnable> queue, int limit, long deadline, LoopCounter counter) {
        int n = 0;
        int urgent = 0;
        Runnable continuation;
        while (n < limit && (continuation = queue.poll()) != null) {
            n++;
            counters.increment(counter); // before the mount: whoever the continuation completes sees it counted
            mount(continuation, queue.polledStamp());
            if (ownership.lost()) {
                return n + urgent;
            }
            if (!queues.urgent.isEmpty()) {
                urgent += runUrgent(1, now);
                if (ownership.lost()) {
                    return n + urgent;
                }
            }
            if (tick() && now - deadline >= 0) {
                break;
            }
        }
        return n + urgent;
    }

    private int runLocal(long deadline) {
        // Only what was queued before this step: resumes issued now wait for the next turn, so the
        // inbound queue gets its turn even when threads yield in a loop.
        int n = Math.min(queues.local.size(), ownedBatch);
        int ran = 0;
        for (int i = 0; i < n; i++) {
            Runnable continuation = queues.local.pollFirst();
            mount(continuation, queues.local.polledStamp());
            ran++;
            if (ownership.lost()) {
                return ran;
            }
            if (!queues.urgent.isEmpty()) {
                ran += runUrgent(1, now);
                if (ownership.lost()) {
                    return ran;
                }
            }
            if (tick() && now - deadline >= 0) {
                break;
            }
        }
        return ran;
    }

    /**
     * A turn that found nothing of its own: one runnable runner of a peer, carried here (see
     * {@link RunnerSteal}). One per turn, so that this loop's own work, when it comes, waits for at
     * most one.
     */
    private int runStolen() {
        RunnerSteal.Ready ready = runners.steal.steal();
        if (ready == null) {
            return 0;
        }
        counters.increment(LoopCounter.RUNNERS_STOLEN);
        mount(ready.continuation(), ready.stamp());
        return 1;
    }

    /**
     * Latency-lane starts, up to {@code limit}, until {@code deadline} (at least one): at the start
     * of a turn, and one at a time between the mounts of the other steps (one volatile load per mount
     * to see whether any waits). Each was claimed by nobody else first: a start the rescuer took off
     * the loop because the loop was held too long is skipped here.
     */
    private int runUrgent(int limit, long deadline) {
        int n = 0;
        Runnable polled;
        while (n < limit && (polled = queues.urgent.poll()) != null) {
            long stamp = queues.urgent.polledStamp();
            Runnable continuation = polled;
            if (polled instanceof UrgentStart start) {
                if (!start.claim()) {
                    continue; // the rescuer ran it elsewhere
                }
                continuation = start.continuation();
            }
            n++;
            counters.increment(LoopCounter.REMOTE_SCHEDULES);
            mount(continuation, stamp);
            if (ownership.lost() || (tick() && now - deadline >= 0)) {
                break;
            }
        }
        return n;
    }

    private int fireTimers() {
        if (timers.size() == 0) {
            return 0;
        }
        int fired = timers.fireDue(now, ownedBatch);
        counters.add(LoopCounter.TIMERS_FIRED, fired);
        return fired;
    }

    /** Reads the clock, and sets how many mounts may pass before the next reading. */
    private long readClock() {
        long t = System.nanoTime();
        if (sinceClock > 0 && !everyMount) {
            long perMount = (t - now) / sinceClock;
            clockEvery = perMount >= grain ? 1 : (int) Math.min(MAX_CLOCK_EVERY, grain / Math.max(1, perMount));
        }
        sinceClock = 0;
        now = t;
        return t;
    }

    /** After a mount: whether the clock was read (then {@link #now} is fresh). */
    private boolean tick() {
        if (++sinceClock < clockEvery) {
            return false;
        }
        readClock();
        return true;
    }

    private void mount(Runnable continuation, long stamp) {
        mount(continuation, stamp, false);
    }

    /** Mounts {@code continuation}; {@code quiet}: a runner the loop activated, whose resume is no event. */
    private void mount(Runnable continuation, long stamp, boolean quiet) {
        counters.increment(LoopCounter.MOUNTS);
        // The delay since the continuation became runnable, from the loop's latest reading: a stamp
        // taken after it (by another thread) is a delay of about nothing.
        events.beginMount(stamp == 0 ? -1 : Math.max(0, now - stamp));
        if (quiet) {
            events.resumedSilently(true);
        }
        LoopThread self = ownership.beginMount(); // with hand-off on: publishes everything above to a watchdog that takes the loop
        mounted = continuation;
        mountStart = now;
        try {
            continuation.run();
        } catch (Throwable e) { // the JDK's continuation runner handles user exceptions itself
            if (!LoopOwnership.taken(self)) {
                loop.recordError(e);
            }
        }
        mounted = null;
        if (!ownership.endMount(self)) {
            // The watchdog handed the loop to a new carrier while this one was stuck in the mount:
            // touch nothing loop-owned any more, and leave.
            return;
        }
        events.endMount();
        loop.services().probeEnded(); // a probe's yield has re-submitted by now, here or elsewhere
        if (runners != null) {
            runners.mountEnded();
        }
    }
}
