package io.vtbridge.adapters.io;

import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link StreamOffload} when its caller stops waiting for a call that already runs on the pool: an
 * interrupted close is not repeated on the caller's thread, and a wait ended by the pool itself (a
 * {@link CancellationException}, as from a bridge shutting down) keeps later calls off the stream
 * until the running call ends, as an interrupt does.
 */
@Timeout(60)
class StreamOffloadTest {

    @TestBridge(shards = 1)
    Bridge bridge;

    /** A stream whose first close blocks, ignoring interrupts, until released; every close is counted. */
    static final class SlowCloseStream extends InputStream {
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger closing = new AtomicInteger();     // closes under way now
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public int read() {
            return -1;
        }

        @Override
        public void close() {
            mostAtOnce.accumulateAndGet(closing.incrementAndGet(), Math::max);
            try {
                if (closes.incrementAndGet() == 1) {
                    entered.countDown();
                    awaitIgnoringInterrupts(release);
                }
            } finally {
                closing.decrementAndGet();
            }
        }
    }

    static void awaitIgnoringInterrupts(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException ignored) {
                // as a close(2) or a pipe read: the interrupt is not noticed
            }
        }
    }

    @Test
    void anInterruptedCloseAlreadyRunningOnThePoolIsNotRepeatedOnTheCallersThread() throws Exception {
        SlowCloseStream raw = new SlowCloseStream();
        InputStream in = new BridgeInputStream(raw);
        CompletableFuture<Thread> caller = new CompletableFuture<>();
        CompletableFuture<List<Object>> outcome = bridge.submit(() -> {
            caller.complete(Thread.currentThread());
            in.close();                                   // interrupted while the close runs on the pool
            boolean interruptKept = Thread.interrupted();
            int closesAfterFirst = raw.closes.get();
            in.close();                                   // again, while the first still runs: nothing to do
            return List.<Object>of(interruptKept, closesAfterFirst, raw.closes.get());
        });
        Await.latch("the wrapped close running on the pool", raw.entered);
        Await.result(caller).interrupt();

        List<Object> seen = Await.result("the interrupted close's return", outcome);
        assertThat(seen.get(0)).as("interrupt status kept").isEqualTo(true);
        assertThat(seen.get(1)).as("closes after the interrupted close() returned: the one still running on the pool")
                .isEqualTo(1);
        assertThat(seen.get(2)).as("a second close() while the first runs does not close again").isEqualTo(1);
        raw.release.countDown();
        Await.until("the pooled close ended", () -> raw.closing.get() == 0 && bridge.blockingPoolStats().running() == 0);
        assertThat(raw.closes.get()).isEqualTo(1);
        assertThat(raw.mostAtOnce.get()).as("closes of the wrapped stream at the same time").isEqualTo(1);
    }

    /** A pool that starts the call on a thread of its own and then gives up waiting for it, as a cancelled wait does. */
    static final class CancellingPool implements StreamOffload.Pool {
        final CountDownLatch started = new CountDownLatch(1);
        volatile Thread runner;

        @Override
        public <T> T blocking(Callable<T> call) {
            runner = Thread.ofPlatform().name("cancelling-pool").start(() -> {
                try {
                    call.call();
                } catch (Exception ignored) {
                    // nobody waits for it any more
                }
            });
            awaitIgnoringInterrupts(started);
            throw new CancellationException("the wait for the pool was cancelled (a bridge shutting down)");
        }
    }

    @Test
    void aCallStillRunningWhenThePoolCancelsTheWaitKeepsLaterCallsOffTheStreamUntilItEnds() throws Exception {
        CancellingPool pool = new CancellingPool();
        StreamOffload offload = new StreamOffload("the stream", pool);
        CountDownLatch release = new CountDownLatch(1);

        assertThatThrownBy(() -> offload.offload("read", () -> {
            pool.started.countDown();
            awaitIgnoringInterrupts(release);
            return 1;
        })).isInstanceOf(CancellationException.class);

        assertThatThrownBy(() -> offload.checkNoStraggler("read"))
                .as("the cancelled read still runs on its pool thread: the stream is not free")
                .isExactlyInstanceOf(IOException.class).hasMessageContaining("still running");
        release.countDown();
        Await.join("the cancelled read's pool thread", pool.runner);
        offload.checkNoStraggler("read"); // it ended: the stream is free again
    }
}
