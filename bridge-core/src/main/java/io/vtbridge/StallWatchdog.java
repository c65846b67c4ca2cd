package io.vtbridge;

import io.vtbridge.loop.LoopThread;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.monitor.BridgeListener;
import io.vtbridge.monitor.StallReport;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The stall watchdog of one bridge: its own platform thread ({@code <bridge>-watchdog}), never a
 * loop's. Every quarter threshold (at least 1 ms, at most 25 ms) it looks at each shard's
 * {@link ShardLoop#busySince()}: an iteration that has run longer than the threshold is a stall. It
 * reports each stall once (a {@code System.Logger} warning and the listener's
 * {@link BridgeListener#onStall}), naming the virtual thread that holds the carrier and its stack.
 * If that thread waits for a lock while it holds the carrier (a pinned park; a monitor on JDK
 * 21–23), the report names the lock and, when known, its owner: the deadlock guard. With
 * {@link BlockingPolicy#HAND_OFF} it also moves the shard's loop to a fresh carrier
 * ({@link ShardLoop#handOff()}).
 *
 * <p><b>Threading:</b> {@link #start} and {@link #stop} by the bridge's lifecycle code; the rest on
 * the watchdog thread.
 */
final class StallWatchdog {

    private static final System.Logger LOG = System.getLogger(StallWatchdog.class.getName());

    private final Bridge bridge;
    private final long thresholdNanos;
    private final BlockingPolicy policy;
    private final long[] reported;        // watchdog-owned: the busySince of the stall last reported, per shard
    private final Thread thread;
    private volatile boolean stopping;    // set by stop()

    StallWatchdog(Bridge bridge, long thresholdNanos, BlockingPolicy policy, boolean daemon) {
        this.bridge = bridge;
        this.thresholdNanos = thresholdNanos;
        this.policy = policy;
        this.reported = new long[bridge.shards().size()];
        this.thread = new Thread(this::run, bridge.name() + "-watchdog");
        this.thread.setDaemon(daemon);
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
    }

    private void run() {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(thresholdNanos / 4, TimeUnit.MILLISECONDS.toNanos(25)));
        while (!stopping) {
            for (Shard shard : bridge.shards()) {
                try {
                    check(shard);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "vtbridge: the stall watchdog failed on " + shard, e);
                }
            }
            LockSupport.parkNanos(this, period);
        }
    }

    private void check(Shard shard) {
        ShardLoop loop = shard.loop();
        long since = loop.busySince();
        if (since == 0 || since == reported[shard.index()]) {
            return; // idle, or this stall is reported already
        }
        long stalled = System.nanoTime() - since;
        if (stalled < thresholdNanos) {
            return;
        }
        reported[shard.index()] = since;
        LoopThread carrier = loop.thread();
        Thread holder = bridge.threads().mountedOn(shard, carrier);
        StackTraceElement[] stack = holder != null ? holder.getStackTrace() : new StackTraceElement[0];
        String lock = null;
        String lockOwner = null;
        if (holder != null && isWaiting(holder.getState())) {
            Object blocker = LockSupport.getBlocker(holder);
            if (blocker != null) {
                lock = describe(blocker);
                lockOwner = ownerOf(blocker);
            }
        }
        if (lock == null) {
            ThreadInfo info = threadInfo(carrier);
            // A carrier always shows as waiting "on" the virtual thread it carries: not a lock.
            if (info != null && info.getLockName() != null && isWaiting(info.getThreadState())
                    && !info.getLockName().startsWith("java.lang.VirtualThread")) {
                lock = info.getLockName();
                lockOwner = info.getLockOwnerName() != null ? info.getLockOwnerName() + " #" + info.getLockOwnerId() : null;
            }
        }
        boolean handedOff = policy == BlockingPolicy.HAND_OFF && loop.handOff();
        StallReport report = new StallReport(lock != null ? StallReport.Kind.LOOP_BLOCKED : StallReport.Kind.STALL,
                shard.index(), carrier.getName(), holder, stack, stalled, lock, lockOwner, handedOff);
        shard.countStall();
        LOG.log(System.Logger.Level.WARNING, report.describe()); // the watchdog may log; a loop never does
        bridge.deliverStall(report);
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
