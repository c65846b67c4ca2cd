package io.vtbridge;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Many suspended virtual threads, few platform threads. A load test: {@code ./vtb soak}, not the default build. */
@Tag("soak")
@Timeout(120)
class LoadTest {

    private static final int SLEEPERS = 10_000;

    @Test
    void tenThousandConcurrentSleepersFinishOnTwoShardsWithAHandfulOfPlatformThreads() throws Exception {
        // JVM-wide one-offs start with the first bridge and the first virtual-thread sleeps of the JVM
        // (JDK 25: the default scheduler's workers, the socket MasterPoller, the VirtualThread-unblocker),
        // and stay. A small run on a throwaway bridge starts them, so the count below is this bridge's.
        sleepers(100);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int before = threads.getThreadCount();
        threads.resetPeakThreadCount();

        int[] perShard = sleepers(SLEEPERS);
        assertThat(perShard[0] + perShard[1]).isEqualTo(SLEEPERS);
        assertThat(perShard[0]).as("both shards used").isPositive();
        assertThat(perShard[1]).as("both shards used").isPositive();
        // The JVM-wide peak of live platform threads over the whole run: 2 loop threads, the
        // JDK's timer threads behind Thread.sleep (JDK 25: each shard's ForkJoinPoolFacade
        // starts its delay scheduler and one worker; JDK 22-24: one unparker per timer queue),
        // and a slack of 2 for other threads started lazily (the stall watchdog is one).
        // Measured on JDK 25, after the warm-up: 6.
        System.out.println("LoadTest: platform threads before " + before + ", peak " + threads.getPeakThreadCount());
        assertThat(threads.getPeakThreadCount() - before).as("platform threads added while 10,000 tasks slept")
                .isLessThanOrEqualTo(2 + 2 * 2 + 2);
    }

    /**
     * Runs {@code n} tasks on a new 2-shard bridge that all stay suspended until every one of them
     * has started (half in the JDK's Thread.sleep, half on loop timers); returns how many ran on each shard.
     */
    private static int[] sleepers(int n) throws Exception {
        try (Bridge bridge = Bridge.builder().shards(2).maxInFlight(n).build()) {
            CountDownLatch allAsleep = new CountDownLatch(n);
            CountDownLatch wakeUp = new CountDownLatch(1);
            List<CompletableFuture<Integer>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                boolean jdkSleep = (i & 1) == 0;
                futures.add(bridge.submit(() -> {
                    allAsleep.countDown();
                    while (wakeUp.getCount() > 0) {
                        if (jdkSleep) {
                            Thread.sleep(5);
                        } else {
                            Bridge.sleep(Duration.ofMillis(5));
                        }
                    }
                    return Bridge.current().orElseThrow().index();
                }));
            }
            assertThat(allAsleep.await(60, TimeUnit.SECONDS)).as("all %d tasks started", n).isTrue();
            // All n tasks are alive and suspended at this point.
            assertThat(bridge.inFlight()).isEqualTo(n);
            wakeUp.countDown();

            int[] perShard = new int[2];
            for (CompletableFuture<Integer> f : futures) {
                perShard[f.get(60, TimeUnit.SECONDS)]++;
            }
            return perShard;
        }
    }
}
