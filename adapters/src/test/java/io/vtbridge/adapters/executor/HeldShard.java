package io.vtbridge.adapters.executor;

import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.BridgeFixture;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;

/**
 * Holds one shard's loop with a bridged task that spins on its carrier, so that no new task starts
 * on that shard until {@link #close()}: a test's way to keep accepted tasks unstarted. The spinner
 * also ends when interrupted (a bridge's {@code shutdownNow} cancels it).
 *
 * <p><b>Threading:</b> the test thread creates and closes it.
 */
final class HeldShard implements AutoCloseable {

    private final CompletableFuture<Void> spinner;
    private volatile boolean released; // written by close(), read by the spinning task

    private HeldShard(Bridge bridge, int shard) throws InterruptedException {
        CountDownLatch mounted = new CountDownLatch(1);
        this.spinner = BridgeFixture.on(bridge, shard, () -> {
            mounted.countDown();
            while (!released && !Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait(); // holds the carrier: the loop starts nothing else meanwhile
            }
            return null;
        });
        Await.latch("the spinner holds shard " + shard, mounted);
    }

    /** Holds shard {@code shard} of {@code bridge} once this returns. */
    static HeldShard hold(Bridge bridge, int shard) throws InterruptedException {
        return new HeldShard(bridge, shard);
    }

    /** Lets the loop go, and waits until the spinner has ended. */
    @Override
    public void close() {
        released = true;
        try {
            Await.result("the spinner's end", spinner);
        } catch (CancellationException | RejectedExecutionException bridgeStopped) {
            // a bridge shut down meanwhile ended the spinner itself
        } catch (Exception e) {
            throw new AssertionError("the spinner holding the shard failed", e);
        }
    }
}
