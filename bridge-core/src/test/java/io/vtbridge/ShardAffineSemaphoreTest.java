package io.vtbridge;

import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vtbridge.testing.BridgeFixture.on;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BridgeSemaphore#shardAffine(int)}: permits handed round on one shard keep the affine mode;
 * a release or an acquire from elsewhere switches it with no permit created or lost.
 */
@Timeout(60)
class ShardAffineSemaphoreTest {

    @TestBridge(shards = 2)
    private Bridge bridge;

    private static final int PERMITS = 2;
    private static final int ROUNDS = 1_000;

    @Test
    void permitsHandedRoundOnOneShardKeepTheAffineMode() throws Exception {
        BridgeSemaphore semaphore = BridgeSemaphore.shardAffine(PERMITS);
        Holders holders = new Holders();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            workers.add(on(bridge, 0, () -> holders.run(semaphore, ROUNDS)));
        }
        allOf(workers);
        assertThat(holders.maxHolding.get()).isEqualTo(PERMITS);
        assertThat(semaphore.availablePermits()).isEqualTo(PERMITS);
        assertThat(semaphore.isShardAffine()).isTrue();
    }

    @Test
    void usersOnAnotherShardAndAPlatformThreadSwitchItWithNoPermitLost() throws Exception {
        BridgeSemaphore semaphore = BridgeSemaphore.shardAffine(PERMITS);
        Holders holders = new Holders();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            workers.add(on(bridge, 0, () -> holders.run(semaphore, ROUNDS)));
        }
        Await.until("shard 0 has permits going", () -> holders.rounds.get() > 100);
        for (int t = 0; t < 2; t++) {
            workers.add(on(bridge, 1, () -> holders.run(semaphore, ROUNDS)));
        }
        Thread platform = Thread.ofPlatform().start(() -> holders.run(semaphore, ROUNDS));
        Await.join("the platform user", platform);
        allOf(workers);
        assertThat(holders.maxHolding.get()).isLessThanOrEqualTo(PERMITS);
        assertThat(holders.rounds.get()).isEqualTo(6 * ROUNDS);
        assertThat(semaphore.availablePermits()).as("none created or lost").isEqualTo(PERMITS);
        assertThat(semaphore.hasQueuedThreads()).isFalse();
        assertThat(semaphore.isShardAffine()).isFalse();
    }

    @Test
    void aReleaseFromAPlatformThreadWakesAHomeWaiterAndSwitches() throws Exception {
        BridgeSemaphore semaphore = BridgeSemaphore.shardAffine(0);
        CompletableFuture<Boolean> waiter = on(bridge, 0, () -> semaphore.tryAcquire(2, 20, TimeUnit.SECONDS));
        Await.until("the waiter is queued", semaphore::hasQueuedThreads);
        assertThat(semaphore.getQueueLength()).as("a monitoring read").isEqualTo(1);
        assertThat(semaphore.isShardAffine()).isTrue();
        semaphore.release(); // one is not enough for acquire(2)
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(waiter).isNotDone();
        semaphore.release();
        assertThat(Await.result(waiter)).isTrue();
        assertThat(semaphore.availablePermits()).isZero();
        assertThat(semaphore.isShardAffine()).isFalse();
    }

    @Test
    void aTimedTryTimesOutInTheAffineMode() throws Exception {
        BridgeSemaphore semaphore = BridgeSemaphore.shardAffine(1);
        assertThat(Await.result(on(bridge, 0, () -> {
            semaphore.acquire();
            boolean second = semaphore.tryAcquire(30, TimeUnit.MILLISECONDS);
            semaphore.release();
            return second;
        }))).isFalse();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(semaphore.hasQueuedThreads()).isFalse();
        assertThat(semaphore.isShardAffine()).isTrue();
    }

    /** Users that each take a permit, hold it across a yield, and give it back. */
    private static final class Holders {
        final AtomicInteger holding = new AtomicInteger();
        final AtomicInteger maxHolding = new AtomicInteger();
        final AtomicInteger rounds = new AtomicInteger();

        Void run(BridgeSemaphore semaphore, int n) {
            for (int r = 0; r < n; r++) {
                semaphore.acquireUninterruptibly();
                try {
                    maxHolding.accumulateAndGet(holding.incrementAndGet(), Math::max);
                    Thread.yield();
                    holding.decrementAndGet();
                } finally {
                    semaphore.release();
                }
                rounds.incrementAndGet();
            }
            return null;
        }
    }

    private static void allOf(List<CompletableFuture<Void>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
}
