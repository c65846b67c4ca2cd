package io.vtbridge;

import io.vtbridge.internal.Checks;
import io.vtbridge.internal.JdkAccess;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.pool.WorkPool;
import io.vtbridge.task.TaskTable;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How a bridge stops: {@link Bridge#close()} (drain, then abort) and {@link Bridge#shutdownNow()}
 * (abort at once), and the order in which its threads are stopped afterwards. It drives the run state
 * that {@link Admission} keeps: CLOSING refuses new work, STOPPING completes every pending future,
 * TERMINATED is set once every thread the bridge started has been stopped.
 *
 * <p>The stop order, and why: the stall watchdog first (no hand-off of a loop that is stopping), the
 * lane's rescuer (no lane start taken from a loop that is stopping), the JFR watcher, then the loops (their last events still reach the buffers), the JDK timer threads of
 * the loops, the pools, and only then the event dispatcher, which delivers what the loops recorded
 * last; the MXBeans go at the very end.
 *
 * <p><b>Threading:</b> any thread but the bridge's own virtual threads (which would wait for
 * themselves: refused with an {@link IllegalStateException}). Closers serialise on one lock that a
 * loop never takes.
 */
final class BridgeLifecycle {

    private static final System.Logger LOG = System.getLogger(Bridge.class.getName());

    private final Bridge bridge;
    private final Admission admission;
    private final long closeTimeoutNanos;
    private final long stopGraceNanos;
    private final ReentrantLock closing = new ReentrantLock(); // held by closing threads only; never by a loop
    private final CompletableFuture<Void> termination = new CompletableFuture<>();       // completed by terminate(), last
    private final CompletionStage<Void> terminationStage = termination.minimalCompletionStage(); // one view: asking for it registers nothing

    BridgeLifecycle(Bridge bridge, Admission admission, Duration closeTimeout, Duration stopGrace) {
        this.bridge = bridge;
        this.admission = admission;
        this.closeTimeoutNanos = Checks.saturatedNanos(closeTimeout);
        this.stopGraceNanos = Checks.saturatedNanos(stopGrace);
    }

    /** {@link Bridge#close()}. */
    void close() {
        checkNotOwnThread("close()");
        boolean interrupted = false;
        closing.lock();
        try {
            if (admission.isTerminated()) {
                return;
            }
            admission.advanceState(Admission.CLOSING);
            boolean drained;
            try {
                // Stops waiting early if a shutdownNow() moves the state on meanwhile.
                drained = tasks().awaitEmpty(closeTimeoutNanos, TimeUnit.NANOSECONDS, admission::isStopping);
            } catch (InterruptedException e) {
                interrupted = true;
                drained = false;
            }
            if (!drained) {
                interrupted |= abortPending("bridge " + bridge.name() + " closed before the task started");
            }
            terminate();
        } finally {
            closing.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@link Bridge#shutdownNow()}. */
    void shutdownNow() {
        checkNotOwnThread("shutdownNow()");
        // Complete the futures before taking the lock, so that a close() waiting for the drain sees
        // the interrupted tasks end instead of waiting out its timeout.
        boolean interrupted = abortPending("bridge " + bridge.name() + " shut down before the task started");
        closing.lock();
        try {
            if (!admission.isTerminated()) {
                terminate();
            }
        } finally {
            closing.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@link Bridge#terminationFuture()}. */
    CompletionStage<Void> terminationFuture() {
        return terminationStage;
    }

    private TaskTable<BridgeTask<?>> tasks() {
        return admission.tasks();
    }

    /** Moves to STOPPING, completes every pending future, waits stopGrace; returns whether interrupted. */
    private boolean abortPending(String notStartedReason) {
        admission.advanceState(Admission.STOPPING); // volatile: a submitter that missed it has its slot seen by the scan below
        tasks().wakeWaiters();    // a close() waiting for the drain stops waiting
        tasks().forEach(task -> task.abort(notStartedReason));
        try {
            tasks().awaitEmpty(stopGraceNanos, TimeUnit.NANOSECONDS);
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    private void terminate() {
        admission.advanceState(Admission.STOPPING);
        bridge.watchdog().stop(); // first: no hand-off of a loop that is stopping
        bridge.laneRescuer().stop(); // nor a lane start rescued from one
        if (bridge.pinnedWatcher() != null) {
            bridge.pinnedWatcher().close();
        }
        for (Shard shard : bridge.shards()) {
            shard.loop().stop();
        }
        long start = System.nanoTime();
        long patience = Math.min(stopGraceNanos, Long.MAX_VALUE / 4) + TimeUnit.SECONDS.toNanos(5);
        for (Shard shard : bridge.shards()) {
            boolean exited;
            try {
                exited = shard.loop().awaitTermination(Math.max(0, patience - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exited = shard.loop().isTerminated();
            }
            if (!exited) {
                // The closing thread may log; a loop thread never does.
                LOG.log(System.Logger.Level.WARNING, "vtbridge: loop thread {0} did not stop; it is held by a"
                        + " carrier-blocking call of a bridged thread", shard.threadName());
            }
        }
        for (Shard shard : bridge.shards()) {
            if (!shard.stopTimerPool()) {
                LOG.log(System.Logger.Level.WARNING, "vtbridge: the JDK timer threads of {0} did not exit within 5 s", shard);
            }
        }
        stopPool(bridge.cpuPool());
        stopPool(bridge.blockingPool());
        if (bridge.dispatcher() != null) {
            try {
                bridge.dispatcher().stop(5, TimeUnit.SECONDS); // after the loops: it delivers their last events
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (bridge.mbeans() != null) {
            bridge.mbeans().unregister();
        }
        admission.advanceState(Admission.TERMINATED);
        termination.complete(null); // last: whoever waits for the termination sees every thread stopped
    }

    /** Stops a pool: queued work is rejected, running work interrupted; waits for its threads. */
    private void stopPool(WorkPool pool) {
        pool.shutdownNow();
        try {
            long patience = Math.min(stopGraceNanos, Long.MAX_VALUE / 4) + TimeUnit.SECONDS.toNanos(5);
            if (!pool.awaitTermination(patience, TimeUnit.NANOSECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "vtbridge: pool {0} has threads that ignored the interrupt", pool.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkNotOwnThread(String method) {
        ShardLoop loop = ShardLoop.current();
        if (loop != null && ((Shard) loop.owner()).bridge() == bridge) {
            throw new IllegalStateException(method + " called from a virtual thread of bridge " + bridge.name()
                    + " (" + loop.owner() + "): it would wait for itself; call it from outside the bridge");
        }
        // Off every loop but still this bridge's: a rescued latency-lane start on the lane thread, a
        // hog moved to the CPU pool, a thread on a carrier a hand-off retired. Its next park would
        // resume it on a loop that this call stops: the call would never return.
        java.util.concurrent.Executor scheduler = JdkAccess.schedulerOf(Thread.currentThread());
        if (scheduler != null) {
            for (Shard shard : bridge.shards()) {
                if (shard.schedules(scheduler)) {
                    throw new IllegalStateException(method + " called from a virtual thread of bridge " + bridge.name()
                            + " (" + shard + ", running off its loop): it would wait for itself; call it from outside the bridge");
                }
            }
        }
    }
}
