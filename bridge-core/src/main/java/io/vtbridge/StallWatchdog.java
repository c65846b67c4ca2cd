package io.vtbridge;

import io.vtbridge.internal.JdkAccess;
import io.vtbridge.loop.LoopCounter;
import io.vtbridge.loop.LoopThread;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.monitor.DelayCause;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.monitor.StallReport;
import io.vtbridge.pool.WorkerStarter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The stall watchdog of one bridge: its own platform thread ({@code <bridge>-watchdog}), never a
 * loop's. Every quarter threshold (under HAND_OFF, a quarter of the hand-off delay if shorter; at
 * least 1 ms, at most 25 ms) it looks at each busy shard and tells two stalls apart:
 * <ul>
 *   <li><b>a hog</b>: the loop's mount counter has not moved for longer than the threshold, so one
 *       mount holds the carrier. The watchdog finds the virtual thread on the carrier, takes its
 *       stack, and names it only if, after that, the same mount is still running and the thread is
 *       still on the carrier: a report never names a thread that was not holding the carrier when
 *       its stack was taken. If that thread waits for a lock while it holds the carrier (a pinned
 *       park; a monitor on JDK 21–23), the report names the lock and, when known, its owner: the
 *       deadlock guard. With {@link BlockingPolicy#HAND_OFF} a mount that has held the carrier for
 *       the hand-off delay ({@code BridgeBuilder.handOffAfter}, half the threshold by default) moves
 *       the shard's loop to a fresh carrier ({@link ShardLoop#handOff()}) and is reported then, as a
 *       hog handed off; if the hand-off is refused (too many extra carriers), it is reported at the
 *       threshold like any hog.</li>
 *   <li><b>a starved carrier</b>: as a hog, but the carrier ran on a CPU for less than a quarter of
 *       the time since the watchdog's second look at the mount (its CPU time, {@link ThreadMXBean}),
 *       and the kernel has it runnable now, not blocked in a system call (Linux's per-thread state,
 *       {@link LoopThread#kernelState()}): it waits for a CPU that a machine with more runnable
 *       threads than CPUs does not give it, and the mounted thread is not to blame. Reported once per
 *       mount as {@code STARVED}, naming no thread; never handed off (a fresh carrier would wait for
 *       the same CPUs). The mount is judged again at every look, so it can still be reported as a hog
 *       once it runs or blocks. Where the state is not known (another OS), every long mount is a
 *       hog, as before.</li>
 *   <li><b>loop lag</b>: the current turn has run longer than the threshold while the mount counter
 *       kept moving: many mounts, none a hog. The report names no thread; it gives the mounts of the
 *       turn and, from the loop's event counters, what made them runnable.</li>
 * </ul>
 * Each is reported once (a {@code System.Logger} warning and the listener's
 * {@code BridgeListener#onStall}).
 *
 * <p>At each check it also backs up the latency lane's rescuer ({@link LaneRescuer#rescueIfHeld}):
 * while that thread runs one rescued start for long, other overdue lane starts go to the CPU pool.
 *
 * <p>The same thread starts the worker threads that the bridge's pools need for bridged code, and the
 * lane rescuer's thread ({@link WorkerStarter}): a {@code Thread.start} waits until the new thread runs, which must not
 * happen on a loop's carrier. Each round runs one such start first; the watchdog does not park while
 * more are queued. When the watchdog's thread ends, the starter is closed: later starts run on their
 * submitters.
 *
 * <p><b>Threading:</b> {@link #start} and {@link #stop} by the bridge's lifecycle code; the rest on
 * the watchdog thread, which owns every array here.
 */
final class StallWatchdog {

    private static final System.Logger LOG = System.getLogger(StallWatchdog.class.getName());
    private static final DelayCause[] CAUSES = DelayCause.values();

    private final Bridge bridge;
    private final long thresholdNanos;
    private final BlockingPolicy policy;
    private final long handOffNanos;      // HAND_OFF: how long a mount may hold the carrier before the loop moves
    private final long[] mountSeen;       // per shard: the mount counter at the last look
    private final long[] mountSeenSince;  // per shard: when that value was first seen (busy)
    private final long[] hogReported;     // per shard: the mount counter value of the hog reported last
    private final long[] handOffTried;    // per shard: the mount counter value of the hog whose hand-off was tried last
    private final long[] turnSeen;        // per shard: the busySince of the turn first seen at the last look
    private final long[][] turnCauses;    // per shard: the loop's counts by cause when that turn was first seen
    private final long[] lagReported;     // per shard: the busySince of the turn reported as lag last
    private final long[] cpuBaseMount;    // per shard: the mount counter value the CPU baseline below was read for
    private final long[] cpuBaseAt;       // per shard: when it was read
    private final long[] cpuBase;         // per shard: the carrier's CPU time then, ns, or -1 if unknown
    private final Thread[] cpuBaseCarrier; // per shard: the carrier it was read from
    private final ThreadMXBean threads;   // the carriers' CPU time; null where the JVM does not measure it
    private final long period;            // between two looks at the shards, ns
    private final long[] starvedReported; // per shard: the mount counter value of the mount reported as starved last
    private final Thread thread;
    private final WorkerStarter starter;  // the pools' worker starts for bridged code: run here, never on a loop
    private volatile boolean stopping;    // set by stop()

    StallWatchdog(Bridge bridge, long thresholdNanos, BlockingPolicy policy, long handOffNanos, WorkerStarter starter,
                  boolean daemon) {
        this.bridge = bridge;
        this.thresholdNanos = thresholdNanos;
        this.policy = policy;
        this.handOffNanos = policy == BlockingPolicy.HAND_OFF ? Math.min(handOffNanos, thresholdNanos) : thresholdNanos;
        int n = bridge.shards().size();
        this.mountSeen = new long[n];
        this.mountSeenSince = new long[n];
        this.hogReported = new long[n];
        this.handOffTried = new long[n];
        this.turnSeen = new long[n];
        this.turnCauses = new long[n][];
        this.lagReported = new long[n];
        this.cpuBaseMount = new long[n];
        this.cpuBaseAt = new long[n];
        this.cpuBase = new long[n];
        this.threads = cpuTimeBean();
        this.period = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(Math.min(thresholdNanos, this.handOffNanos) / 4,
                TimeUnit.MILLISECONDS.toNanos(25)));
        this.cpuBaseCarrier = new Thread[n];
        this.starvedReported = new long[n];
        java.util.Arrays.fill(cpuBaseMount, -1);
        java.util.Arrays.fill(starvedReported, -1);
        java.util.Arrays.fill(hogReported, -1);
        java.util.Arrays.fill(handOffTried, -1);
        java.util.Arrays.fill(mountSeen, -1);
        this.thread = new Thread(this::run, bridge.name() + "-watchdog");
        this.thread.setDaemon(daemon);
        this.starter = starter;
        starter.bind(thread);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        starter.close(); // from now on a pool worker starts on its submitter, as without a starter
    }

    private void run() {
        try {
            watch();
        } finally {
            // Stopped, or died of an Error: from now on a pool worker starts on its submitter, as
            // without a starter, rather than waiting for a watchdog that will not come.
            starter.close();
        }
    }

    private void watch() {
        long nextCheck = System.nanoTime();
        while (!stopping) {
            // Woken by a pool that needs a worker for bridged code (or the lane's rescuer its thread):
            // one start per round, so that a burst of them does not hold back the checks below.
            boolean moreStarts = starter.runPending(1);
            long now = System.nanoTime();
            if (now - nextCheck >= 0) {
                for (Shard shard : bridge.shards()) {
                    try {
                        check(shard);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "vtbridge: the stall watchdog failed on " + shard, e);
                    }
                }
                try {
                    bridge.laneRescuer().rescueIfHeld(now); // lane starts overdue while the rescuer runs a long one
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "vtbridge: the stall watchdog failed a lane rescue", e);
                }
                nextCheck = now + period;
            }
            long sleep = nextCheck - System.nanoTime();
            if (sleep > 0 && !moreStarts) {
                LockSupport.parkNanos(this, sleep);
            }
        }
    }

    private void check(Shard shard) {
        int i = shard.index();
        ShardLoop loop = shard.loop();
        long since = loop.busySince();
        long mounts = loop.counters().get(LoopCounter.MOUNTS);
        long now = System.nanoTime();
        if (since == 0) {
            mountSeen[i] = -1; // idle: no mount runs, no turn
            turnSeen[i] = 0;
            return;
        }
        loop.wakePeerForWaitingRunners(); // busy: a runnable runner waiting behind a long mount may go to an idle shard
        if (mounts != mountSeen[i]) {
            mountSeen[i] = mounts;
            mountSeenSince[i] = now;
        } else if (hogReported[i] != mounts) {
            long held = now - mountSeenSince[i];
            LoopThread carrier = loop.thread();
            if (cpuBaseMount[i] != mounts || cpuBaseCarrier[i] != carrier) {
                // The second look at this mount: the baseline that tells a hog from a starved carrier.
                cpuBaseMount[i] = mounts;
                cpuBaseCarrier[i] = carrier;
                cpuBase[i] = cpuTime(carrier);
                cpuBaseAt[i] = System.nanoTime();
            }
            boolean due = held >= thresholdNanos;
            boolean handOffDue = policy == BlockingPolicy.HAND_OFF && held >= handOffNanos && handOffTried[i] != mounts;
            long[] cpu = due || handOffDue ? cpuSinceBaseline(i, carrier) : null;
            char state = due || handOffDue ? carrier.kernelState() : '?';
            boolean ended = (due || handOffDue) && loop.counters().get(LoopCounter.MOUNTS) != mounts;
            if (cpu != null && (cpu[2] < period / 2 || (ended && cpu[1] < thresholdNanos / 4))) {
                // Not judged at this look: the baseline is too fresh to tell (this thread was late
                // itself), or the mount ended while we looked having run little (blocked, or starved:
                // the state read may already be the next mount's). Where the CPU figures are not
                // known, such a mount is judged a hog, as before.
                due = false;
                handOffDue = false;
            }
            if (due || handOffDue) {
                if (cpu != null && !ended && isStarved(state, cpu[1], cpu[2], thresholdNanos)) {
                    if (due && starvedReported[i] != mounts) {
                        starvedReported[i] = mounts;
                        deliver(shard, new StallReport(StallReport.Kind.STARVED, i, carrier.getName(), null, null, null,
                                held, null, null, false, 1, Map.of(), cpu[0], cpu[1], cpu[2]));
                    }
                    return; // judged again at the next look
                }
                handOffTried[i] = mounts;  // one hand-off attempt before the threshold; another at it
                if (reportHog(shard, loop, mounts, held, due, cpu)) {
                    hogReported[i] = mounts;
                    return;
                }
            }
        }
        if (since != turnSeen[i]) {
            turnSeen[i] = since;
            turnCauses[i] = causes(loop);
        } else if (mountSeenSince[i] - since >= thresholdNanos && lagReported[i] != since && mounts - loop.turnStartMounts() > 1) {
            // The turn up to the current mount (as first seen) is what counts: a turn that is long
            // only because its current mount is a hog is that hog's report, not lag as well.
            lagReported[i] = since;
            reportLag(shard, loop, mounts - loop.turnStartMounts(), now - since, turnCauses[i]);
        }
    }

    /**
     * One mount has held the carrier for at least {@code nanos}: under HAND_OFF, moves the loop to a
     * fresh carrier, and reports the hog, naming its thread if it can be named safely. Before the
     * threshold ({@code due} false) only a hand-off is reported; the name and stack are taken first,
     * while the mount counter still tells whether the same mount holds the carrier. {@code cpu}: the
     * carrier's figures since the baseline ({wait, run, window}), or null.
     *
     * @return whether a report was delivered
     */
    private boolean reportHog(Shard shard, ShardLoop loop, long mounts, long nanos, boolean due, long[] cpu) {
        LoopThread carrier = loop.thread();
        Thread holder = bridge.threads().mountedOn(shard, carrier);
        String description = null;
        StackTraceElement[] stack = new StackTraceElement[0];
        String lock = null;
        String lockOwner = null;
        if (holder != null) {
            description = holder.toString(); // as it is now, mounted
            stack = holder.getStackTrace();
            Thread.State state = holder.getState();
            Object blocker = isWaiting(state) ? LockSupport.getBlocker(holder) : null;
            if (loop.counters().get(LoopCounter.MOUNTS) != mounts || JdkAccess.carrierOf(holder) != carrier) {
                // The mount ended while we looked: what we took may be the thread's next step, not
                // the hog. Report the hog without a name rather than blame the wrong frames.
                holder = null;
                description = null;
                stack = new StackTraceElement[0];
            } else if (blocker != null) {
                lock = describe(blocker);
                lockOwner = ownerOf(blocker);
            }
        }
        if (lock == null && holder != null) {
            ThreadInfo info = threadInfo(carrier);
            // A carrier always shows as waiting "on" the virtual thread it carries: not a lock.
            if (info != null && info.getLockName() != null && isWaiting(info.getThreadState())
                    && !info.getLockName().startsWith("java.lang.VirtualThread")) {
                lock = info.getLockName();
                lockOwner = info.getLockOwnerName() != null ? info.getLockOwnerName() + " #" + info.getLockOwnerId() : null;
            }
        }
        // Not for a mount that has ended meanwhile: the take is decided per carrier, not per mount,
        // so a late one could take a loop that is running well.
        boolean handedOff = policy == BlockingPolicy.HAND_OFF && loop.counters().get(LoopCounter.MOUNTS) == mounts
                && loop.handOff();
        if (!handedOff && !due) {
            return false;  // refused before the threshold: the hog is reported when it reaches it
        }
        deliver(shard, new StallReport(lock != null ? StallReport.Kind.LOOP_BLOCKED : StallReport.Kind.HOG,
                shard.index(), carrier.getName(), holder, description, stack, nanos, lock, lockOwner, handedOff, 1, Map.of(),
                cpu != null ? cpu[0] : 0, cpu != null ? cpu[1] : 0, cpu != null ? cpu[2] : 0));
        return true;
    }

    /**
     * Shard {@code i}'s carrier since the baseline: {not on a CPU, on a CPU, the window} in ns; null
     * if its CPU time is not known, or the baseline was read from another carrier.
     */
    private long[] cpuSinceBaseline(int i, LoopThread carrier) {
        long base = cpuBase[i];
        if (base < 0 || cpuBaseCarrier[i] != carrier) {
            return null;
        }
        long window = System.nanoTime() - cpuBaseAt[i]; // the clock first: a delay in between then shortens the window, never lengthens it
        long now = cpuTime(carrier);
        if (now < 0 || window <= 0) {
            return null;
        }
        long ran = Math.min(now - base, window);
        return new long[] {window - ran, ran, window};
    }

    /**
     * The rule: a carrier in kernel state {@code state} that ran {@code ran} ns on a CPU over the last
     * {@code window} ns, in a mount judged against {@code threshold}, is starved if it is runnable now
     * ({@code 'R'}), ran less than a quarter of the window, and less than a quarter of the threshold
     * in all. One blocked in a system call ({@code 'S'}, {@code 'D'}) is a hog (java.io, JNI). One
     * that computes is a hog once it has run a quarter of the threshold, however small its share of a
     * CPU: on an overloaded machine an endless loop is still named, and handed off, if later. A short
     * mount whose carrier waits for a CPU never runs that long.
     */
    static boolean isStarved(char state, long ran, long window, long threshold) {
        return state == 'R' && window > 0 && ran < window / 4 && ran < threshold / 4;
    }

    private long cpuTime(Thread carrier) {
        if (threads == null) {
            return -1;
        }
        try {
            return threads.getThreadCpuTime(carrier.threadId()); // -1 once the thread has ended
        } catch (RuntimeException unavailable) {
            return -1;
        }
    }

    private static ThreadMXBean cpuTimeBean() {
        try {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            return mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled() ? mx : null;
        } catch (RuntimeException | Error unavailable) {
            return null;
        }
    }

    /** One turn has run for {@code nanos}, {@code mounts} mounts so far: blame no thread. */
    private void reportLag(Shard shard, ShardLoop loop, long mounts, long nanos, long[] causesAtFirstLook) {
        long[] nowCauses = causes(loop);
        Map<DelayCause, Long> byCause = new EnumMap<>(DelayCause.class);
        for (int c = 0; c < CAUSES.length; c++) {
            long d = nowCauses[c] - (causesAtFirstLook != null ? causesAtFirstLook[c] : nowCauses[c]);
            if (d > 0) {
                byCause.put(CAUSES[c], d);
            }
        }
        deliver(shard, new StallReport(StallReport.Kind.LAG, shard.index(), loop.thread().getName(), null, null,
                null, nanos, null, null, false, mounts, byCause, 0, 0, 0));
    }

    private void deliver(Shard shard, StallReport report) {
        shard.countStall();
        LOG.log(System.Logger.Level.WARNING, report.describe()); // the watchdog may log; a loop never does
        bridge.deliverStall(report);
    }

    /** The loop's counts by cause: starts, and resumes by kind (the RESUME events). */
    private static long[] causes(ShardLoop loop) {
        long[] c = new long[CAUSES.length];
        c[DelayCause.START.ordinal()] = loop.counters().get(LoopCounter.THREADS_STARTED);
        for (EventKind kind : EventKind.values()) {
            c[DelayCause.of(kind).ordinal()] += loop.events().count(EventPhase.RESUME, kind);
        }
        return c;
    }

    private static boolean isWaiting(Thread.State state) {
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED;
    }

    private static String describe(Object blocker) {
        return blocker.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(blocker));
    }

    private static String ownerOf(Object blocker) {
        Thread owner = null;
        if (blocker instanceof io.vtbridge.sync.ExclusiveSync sync) {
            owner = sync.owner();
        } else if (blocker instanceof io.vtbridge.sync.SharedExclusiveSync sync) {
            owner = sync.writer();
        }
        return owner == null ? null : owner.toString();
    }

    private static ThreadInfo threadInfo(Thread carrier) {
        try {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            return mx.getThreadInfo(carrier.threadId());
        } catch (RuntimeException | Error unavailable) {
            return null;
        }
    }
}
