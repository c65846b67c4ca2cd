package io.vtbridge;

import io.vtbridge.loop.ShardLoop;
import io.vtbridge.pool.PoolTask;
import io.vtbridge.pool.WorkPool;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;

/**
 * {@link Bridge#compute}, {@link Bridge#blocking} and {@link BridgeFiles}: a callable handed to one of
 * the current bridge's pools (CPU for kind CPU, blocking for BLOCKING and FILE) while the calling
 * bridged virtual thread waits, unmounted. REQUEST, SUSPEND and RESUME of that kind.
 *
 * <p><b>Threading:</b> any thread; in bridged code the pools of that thread's bridge are used,
 * anywhere else the callable runs on the calling thread.
 */
final class Offload {

    private Offload() {
    }

    static <T> T call(Priority priority, Callable<T> task, EventKind kind) throws Exception {
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(task, "task");
        ShardLoop loop = ShardLoop.current();
        if (loop == null) {
            return task.call(); // not bridged code: there is no loop to keep free
        }
        Bridge bridge = ((Shard) loop.owner()).bridge();
        WorkPool pool = kind == EventKind.CPU ? bridge.cpuPool() : bridge.blockingPool();
        loop.coopCheck();
        loop.events().request(kind);
        PoolTask<T> future = pool.submit(priority, task);
        if (future.isCompletedExceptionally() && !future.isCancelled()) {
            rethrow(future); // refused at once: a full queue (BridgeOverloadedException) or a closed pool
        }
        long token = loop.beginWait(kind);
        try {
            future.get(); // parks: the virtual thread unmounts until a pool thread completes the task
        } catch (InterruptedException e) {
            future.cancel(true); // never runs if still queued; its worker is interrupted if running
            throw e;
        } catch (ExecutionException | CancellationException reportedBelow) {
            // rethrown below, unwrapped
        } finally {
            loop.endWait(kind, token);
        }
        return rethrow(future);
    }

    /** The value of a completed future, or its failure as the callable threw it. */
    private static <T> T rethrow(PoolTask<T> done) throws Exception {
        try {
            return done.get();
        } catch (ExecutionException wrapped) {
            Throwable cause = wrapped.getCause();
            if (cause instanceof Exception e) {
                throw e;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw wrapped;
        }
    }
}
