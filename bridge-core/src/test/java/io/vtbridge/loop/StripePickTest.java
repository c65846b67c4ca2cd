package io.vtbridge.loop;

import io.vtbridge.Bridge;
import io.vtbridge.queue.StripedMpscQueue;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.Cpu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A platform thread's inbox stripe is picked at its first submission among the stripes empty then,
 * so a thread that starts submitting while another's burst waits does not queue behind that burst.
 * (Handed out round robin, the stripes of ended threads were handed out again: of any eight new
 * threads one got the busy thread's stripe, and its trivial task waited for the burst.)
 */
@Timeout(60)
class StripePickTest {

    @Test
    void thePickSkipsBusyStripes() throws Exception {
        StripedMpscQueue<Object> queue = new StripedMpscQueue<>(RunQueues.INBOUND_STRIPES);
        for (int s = 0; s < RunQueues.INBOUND_STRIPES; s++) {
            if (s != 3) {
                queue.offer(s, new Object(), 0);
            }
        }
        int[] picked = new int[1];
        Thread t = Thread.ofPlatform().start(() -> picked[0] = RunQueues.stripeFor(queue));
        Await.join("the picker", t);
        assertThat(picked[0]).as("the only empty stripe").isEqualTo(3);
    }

    @Test
    void newThreadsDoNotQueueBehindAnotherThreadsBurst() throws Exception {
        ExecutorService burster = Executors.newSingleThreadExecutor();
        try (Bridge bridge = Bridge.builder().name("stripe-pick").shards(1).maxInFlight(10_000)
                .closeTimeout(Duration.ofSeconds(10)).build()) {
            CountDownLatch started = new CountDownLatch(1);
            // 200 tasks of 2 ms from one thread: a backlog of about 400 ms in its stripe.
            List<CompletableFuture<Object>> burst = burster.submit(() -> {
                List<CompletableFuture<Object>> futures = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    futures.add(bridge.submit(() -> {
                        started.countDown();
                        Cpu.spinNanos(2_000_000);
                        return null;
                    }));
                }
                return futures;
            }).get();
            Await.latch("the burst starts", started);

            // Nine new threads, one after another, each with one trivial task: nine picks cover
            // every stripe if handed out round robin, the burst's included.
            long worst = 0;
            for (int k = 0; k < 9; k++) {
                AtomicLong delay = new AtomicLong(-1);
                Thread fresh = Thread.ofPlatform().name("fresh-" + k).start(() -> {
                    long sent = System.nanoTime();
                    CompletableFuture<Long> f = bridge.submit(() -> System.nanoTime() - sent);
                    delay.set(f.join());
                });
                Await.join("a new thread", fresh);
                worst = Math.max(worst, delay.get());
            }
            long burstDone = burst.stream().filter(CompletableFuture::isDone).count();
            assertThat(TimeUnit.NANOSECONDS.toMillis(worst))
                    .as("ms the slowest new thread's task waited (the burst's backlog: about 400 ms)").isLessThan(100);
            assertThat(burstDone).as("the burst was still waiting while the new threads submitted").isLessThan(200);
            for (CompletableFuture<Object> f : burst) {
                Await.result("a burst task", f);
            }
        } finally {
            burster.shutdownNow();
        }
    }
}
