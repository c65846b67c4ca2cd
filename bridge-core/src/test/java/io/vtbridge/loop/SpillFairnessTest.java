package io.vtbridge.loop;

import io.vtbridge.Bridge;
import io.vtbridge.queue.StripedMpscQueue;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.BridgeFixture;
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
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spill takes tasks out of the runners' inbox to count them (up to 128, kept in the order they
 * came when they do not move). Those kept tasks must wait in front of their own submitter's stripe
 * only: a task from another submitting thread still starts after at most a few of them, as the
 * per-stripe turns promise. (Kept in one deque served before every stripe, a trivial task from
 * another thread waited for all of them: 80-150 ms behind a burst of CPU tasks.)
 *
 * <p><b>Threading:</b> JUnit's, one platform thread for the burst, one for the probe; the tasks
 * take numbers from an atomic counter in the order they start.
 */
@Timeout(60)
class SpillFairnessTest {

    @Test
    void anotherThreadsTaskIsNotQueuedBehindTasksTheSpillKept() throws Exception {
        ExecutorService burster = Executors.newSingleThreadExecutor();
        ExecutorService prober = Executors.newSingleThreadExecutor();
        try (Bridge bridge = Bridge.builder().name("spill-fair").shards(2).maxInFlight(10_000)
                .closeTimeout(Duration.ofSeconds(5)).build()) {
            // Each thread's stripe is picked at its first submission, among the stripes empty then.
            int burstStripe = burster.submit(() -> RunQueues.stripeFor(new StripedMpscQueue<>(RunQueues.INBOUND_STRIPES))).get();
            int probeStripe = prober.submit(() -> RunQueues.stripeFor(new StripedMpscQueue<>(RunQueues.INBOUND_STRIPES))).get();
            assertThat(probeStripe).as("the probe's inbox stripe differs from the burst's").isNotEqualTo(burstStripe);

            int key0 = BridgeFixture.keyFor(bridge, 0);
            AtomicInteger order = new AtomicInteger();
            CountDownLatch started = new CountDownLatch(1);
            // 400 keyed CPU tasks on shard 0 from one thread: shard 1 has nothing to do, so shard 0's
            // first task step spills, which takes up to 128 of them out of the inbox (keyed: they stay).
            List<CompletableFuture<Integer>> burst = burster.submit(() -> {
                List<CompletableFuture<Integer>> futures = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    futures.add(bridge.submit(key0, () -> {
                        started.countDown();
                        Cpu.spinNanos(300_000);
                        return order.getAndIncrement();
                    }));
                }
                return futures;
            }).get();
            Await.latch("the burst starts", started);
            CompletableFuture<Integer> probe = prober.submit(() -> bridge.submit(key0, order::getAndIncrement)).get();
            int startedBefore = Await.result("the probe", probe);
            for (CompletableFuture<Integer> f : burst) {
                Await.result("a burst task", f);
            }
            assertThat(startedBefore).as("burst tasks started before the probe from another thread").isLessThan(32);
        } finally {
            burster.shutdownNow();
            prober.shutdownNow();
        }
    }
}
