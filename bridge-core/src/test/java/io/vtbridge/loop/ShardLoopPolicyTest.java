package io.vtbridge.loop;

import io.vtbridge.timer.Timer;
import org.junit.jupiter.api.AfterEach;
import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loop's service order: work the shard already owns (due timers, expiry resumes, local
 * resumes) runs ahead of an inbound backlog, and the inbound queue still gets its batch every
 * iteration.
 *
 * <p>Each test stalls the loop in a continuation that waits on a latch (a test harness only: real
 * continuations never block the loop), queues work behind it, and opens the latch. What the loop
 * runs next is then decided by its policy alone, not by timing.
 */
@Timeout(60)
class ShardLoopPolicyTest {

    private static final int BACKLOG = 1_000;
    private static final int OWNED = ShardLoop.OWNED_SHARE; // one owned step's worth at an inbound batch of 1

    private final ShardLoop loop = new ShardLoop(0, null, "policy-test-loop", true, 1, 0);
    private final List<String> order = new CopyOnWriteArrayList<>();
    private final CountDownLatch all = new CountDownLatch(BACKLOG + OWNED);

    @AfterEach
    void stop() throws InterruptedException {
        loop.stop();
        assertThat(loop.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void expiryResumesRunAheadOfTheInboundBacklog() throws Exception {
        CountDownLatch open = stall(() -> { });
        queueInboundBacklog();
        for (int i = 0; i < OWNED; i++) {
            loop.executeExpiry(record("expiry"));
        }
        open.countDown();

        assertOwnedRanFirst("expiry");
        assertThat(loop.counters().get(LoopCounter.EXPIRY_SCHEDULES)).isEqualTo(OWNED);
    }

    @Test
    void otherThreadsResumesRunAheadOfTheStartBacklog() throws Exception {
        CountDownLatch open = stall(() -> { });
        queueInboundBacklog();
        for (int i = 0; i < OWNED; i++) {
            loop.execute(record("resume")); // from this (test) thread, not a start: e.g. a lock hand-off
        }
        open.countDown();

        assertOwnedRanFirst("resume");
    }

    @Test
    void localResumesRunAheadOfTheInboundBacklog() throws Exception {
        CountDownLatch open = stall(() -> {
            for (int i = 0; i < OWNED; i++) {
                loop.execute(record("local")); // on the loop thread: the local run queue
            }
        });
        queueInboundBacklog();
        open.countDown();

        assertOwnedRanFirst("local");
    }

    @Test
    void dueTimersFireAheadOfTheInboundBacklog() throws Exception {
        CountDownLatch open = stall(() -> {
            long past = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);
            for (int i = 0; i < OWNED; i++) {
                Runnable recorder = record("timer");
                loop.timers().add(new Timer(past) {
                    @Override
                    protected void expire() {
                        recorder.run();
                    }
                });
            }
        });
        queueInboundBacklog();
        open.countDown();

        assertOwnedRanFirst("timer");
    }

    @Test
    void aThreadThatKeepsRequeuingItselfLocallyDoesNotStarveTheInboundQueue() throws Exception {
        int laps = 100_000;
        AtomicInteger lapsRun = new AtomicInteger();
        CountDownLatch spinnerDone = new CountDownLatch(1);
        CountDownLatch open = stall(() -> loop.execute(new Runnable() { // a yield loop on this shard
            @Override
            public void run() {
                if (lapsRun.incrementAndGet() < laps) {
                    loop.execute(this);
                } else {
                    spinnerDone.countDown();
                }
            }
        }));
        int[] lapsWhenInboundRan = new int[1];
        CountDownLatch inboundRan = new CountDownLatch(1);
        loop.starting(() -> loop.execute(() -> {
            lapsWhenInboundRan[0] = lapsRun.get();
            inboundRan.countDown();
        }), false);
        open.countDown();

        assertThat(inboundRan.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(spinnerDone.await(10, TimeUnit.SECONDS)).isTrue();
        // The local step runs only what was queued before it (one lap), then comes the inbound step.
        assertThat(lapsWhenInboundRan[0]).as("laps before the inbound task ran, of %d", laps).isLessThanOrEqualTo(1);
    }

    /**
     * Stalls the loop inside a start from the inbound queue, after running {@code onLoop} on
     * the loop thread. With an inbound batch of 1 that continuation is the whole inbound step, so
     * what runs after it is decided by the policy alone. Returns once the loop is stalled; counting
     * down the returned latch lets it go on.
     */
    private CountDownLatch stall(Runnable onLoop) throws InterruptedException {
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch open = new CountDownLatch(1);
        loop.start();
        loop.starting(() -> loop.execute(() -> {
            onLoop.run();
            stalled.countDown();
            try {
                Await.latch("the test lets the stalled loop go on", open);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), false);
        Await.latch("the loop is stalled", stalled);
        return open;
    }

    private void assertOwnedRanFirst(String kind) throws InterruptedException {
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order.subList(0, OWNED)).as("the first %d after the stall, with %d inbound queued", OWNED, BACKLOG)
                .containsOnly(kind);
    }

    private void queueInboundBacklog() {
        loop.starting(() -> { // thread starts: new work, the inbound share
            for (int i = 0; i < BACKLOG; i++) {
                loop.execute(record("inbound-" + i));
            }
        }, false);
    }

    private Runnable record(String name) {
        return () -> {
            order.add(name);
            all.countDown();
        };
    }
}
