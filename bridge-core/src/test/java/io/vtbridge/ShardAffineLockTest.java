package io.vtbridge;

import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;

import static io.vtbridge.testing.BridgeFixture.on;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link BridgeLock#shardAffine()}: hand-offs on one shard keep the affine mode; the first use from
 * another shard or a platform thread switches it for good, and nothing (an owner, a waiter, a
 * wake-up, a count) is lost across the switch.
 */
@Timeout(60)
class ShardAffineLockTest {

    @TestBridge(shards = 2)
    private Bridge bridge;

    /** Threads on one shard hand the lock round while each holds it across a yield. */
    private static final int THREADS = 4;
    private static final int ROUNDS = 500;

    @Test
    void handOffsOnOneShardKeepTheAffineMode() throws Exception {
        BridgeLock lock = BridgeLock.shardAffine();
        assertThat(lock.isShardAffine()).as("unbound: still affine").isTrue();
        Counted counted = new Counted();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            workers.add(on(bridge, 0, () -> counted.run(lock, ROUNDS, true)));
        }
        allOf(workers);
        assertThat(counted.count).isEqualTo(THREADS * ROUNDS);
        assertThat(counted.maxInside.get()).isEqualTo(1);
        assertThat(lock.isShardAffine()).as("only shard 0 used it").isTrue();
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.hasQueuedThreads()).isFalse();
    }

    @Test
    void aThreadOfAnotherShardSwitchesItWithoutLosingAnything() throws Exception {
        BridgeLock lock = BridgeLock.shardAffine();
        Counted counted = new Counted();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            workers.add(on(bridge, 0, () -> counted.run(lock, ROUNDS, true)));
        }
        Await.until("shard 0 has hand-offs going", () -> counted.count > ROUNDS / 2);
        for (int t = 0; t < 2; t++) {
            workers.add(on(bridge, 1, () -> counted.run(lock, ROUNDS, true))); // arrives mid-stream
        }
        allOf(workers);
        assertThat(counted.count).isEqualTo((THREADS + 2) * ROUNDS);
        assertThat(counted.maxInside.get()).isEqualTo(1);
        assertThat(lock.isShardAffine()).as("a thread of shard 1 used it").isFalse();
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.hasQueuedThreads()).isFalse();
    }

    /**
     * The test that fails without the fall-back: platform threads and shard-0 threads hammer the
     * lock with tight lock/unlock loops around a plain counter. Were a platform thread let into the
     * affine form, its plain writes of the owner would race the home thread's (two owners, lost
     * counts), and the lock would claim to be affine still.
     */
    @Test
    void platformThreadsSwitchItAndMutualExclusionHolds() throws Exception {
        BridgeLock lock = BridgeLock.shardAffine();
        Counted counted = new Counted();
        int rounds = 20_000;
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            workers.add(on(bridge, 0, () -> counted.run(lock, rounds, false)));
        }
        Await.until("shard 0 bound the lock", () -> counted.count > 0);
        List<Thread> platform = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            platform.add(Thread.ofPlatform().start(() -> counted.run(lock, rounds, false)));
        }
        for (Thread p : platform) {
            Await.join("a platform locker", p);
        }
        allOf(workers);
        assertThat(counted.maxInside.get()).as("two owners at once").isEqualTo(1);
        assertThat(counted.count).as("lost updates").isEqualTo(4 * rounds);
        assertThat(lock.isShardAffine()).as("platform threads used it").isFalse();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void aPlatformLockerQueuedBehindHomeWaitersGetsItInTurn() throws Exception {
        BridgeLock lock = BridgeLock.shardAffine();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = on(bridge, 0, () -> {
            lock.lock();
            try {
                Bridge.await(whenOpen(release));
            } finally {
                lock.unlock();
            }
            return null;
        });
        Await.until("the holder took it", lock::isLocked);
        CompletableFuture<String> homeWaiter = on(bridge, 0, () -> lockedCall(lock, "home"));
        Await.until("a home waiter is queued", () -> lock.getQueueLength() == 1);
        assertThat(lock.isShardAffine()).as("a monitoring read does not switch it").isTrue();
        CompletableFuture<String> platformWaiter = CompletableFuture.supplyAsync(() -> lockedCall(lock, "platform"), ShardAffineLockTest::onPlatformThread);
        Await.until("the platform waiter is queued", () -> lock.getQueueLength() == 2);
        assertThat(lock.isShardAffine()).isFalse();
        release.countDown();
        assertThat(Await.result(homeWaiter)).isEqualTo("home");
        assertThat(Await.result(platformWaiter)).isEqualTo("platform");
        Await.result(holder);
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void conditionAwaitAndSignalInTheAffineMode() throws Exception {
        BridgeLock lock = BridgeLock.shardAffine();
        Condition ready = lock.newCondition();
        boolean[] flag = {false};
        CountDownLatch locked = new CountDownLatch(1);
        CompletableFuture<Integer> waiter = on(bridge, 0, () -> {
            lock.lock();
            locked.countDown();
            try {
                while (!flag[0]) {
                    ready.await();
                }
                return lock.getHoldCount();
            } finally {
                lock.unlock();
            }
        });
        Await.latch("the waiter took the lock", locked);
        Await.until("the waiter waits on the condition", () -> !lock.isLocked());
        on(bridge, 0, () -> {
            lock.lock();
            try {
                flag[0] = true;
                ready.signal();
            } finally {
                lock.unlock();
            }
            return null;
        }).get(10, TimeUnit.SECONDS);
        assertThat(Await.result(waiter)).isEqualTo(1);
        assertThat(lock.isShardAffine()).isTrue();
    }

    @Test
    void conditionSignalFromAPlatformThreadSwitchesAndWakesTheHomeWaiter() throws Exception {
        BridgeLock lock = BridgeLock.shardAffine();
        Condition ready = lock.newCondition();
        boolean[] flag = {false};
        CountDownLatch locked = new CountDownLatch(1);
        CompletableFuture<Boolean> waiter = on(bridge, 0, () -> {
            lock.lock();
            lock.lock(); // two holds, restored after the wait
            locked.countDown();
            try {
                while (!flag[0]) {
                    ready.await();
                }
                return lock.getHoldCount() == 2 && lock.isHeldByCurrentThread();
            } finally {
                lock.unlock();
                lock.unlock();
            }
        });
        Await.latch("the waiter took the lock", locked);
        Await.until("the waiter waits on the condition", () -> !lock.isLocked());
        assertThat(lock.isShardAffine()).isTrue();
        lock.lock(); // the test's platform thread
        try {
            flag[0] = true;
            ready.signal();
        } finally {
            lock.unlock();
        }
        assertThat(Await.result(waiter)).isTrue();
        assertThat(lock.isShardAffine()).isFalse();
    }

    @Test
    void timedTryLockTimesOutAndSucceedsInTheAffineMode() throws Exception {
        BridgeLock lock = BridgeLock.shardAffine();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = on(bridge, 0, () -> {
            lock.lock();
            try {
                Bridge.await(whenOpen(release));
            } finally {
                lock.unlock();
            }
            return null;
        });
        Await.until("the holder took it", lock::isLocked);
        assertThat(Await.result(on(bridge, 0, () -> lock.tryLock(30, TimeUnit.MILLISECONDS)))).isFalse();
        assertThat(Await.result(on(bridge, 0, () -> lock.tryLock()))).isFalse();
        assertThat(lock.hasQueuedThreads()).as("the timed-out waiter left the queue").isFalse();
        CompletableFuture<Boolean> patient = on(bridge, 0, () -> {
            if (!lock.tryLock(20, TimeUnit.SECONDS)) {
                return false;
            }
            lock.unlock();
            return true;
        });
        Await.until("the patient waiter is queued", lock::hasQueuedThreads);
        release.countDown();
        assertThat(Await.result(patient)).isTrue();
        Await.result(holder);
        assertThat(lock.isShardAffine()).isTrue();
    }

    @Test
    void anInterruptedHomeWaiterWithdrawsAndTheInterruptDoesNotSwitchTheLock() throws Exception {
        BridgeLock lock = BridgeLock.shardAffine();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = on(bridge, 0, () -> {
            lock.lock();
            try {
                Bridge.await(whenOpen(release));
            } finally {
                lock.unlock();
            }
            return null;
        });
        Await.until("the holder took it", lock::isLocked);
        Thread[] waiterThread = new Thread[1];
        CompletableFuture<String> waiter = on(bridge, 0, () -> {
            waiterThread[0] = Thread.currentThread();
            try {
                lock.lockInterruptibly();
                lock.unlock();
                return "locked";
            } catch (InterruptedException e) {
                return "interrupted";
            }
        });
        Await.until("the waiter is queued", lock::hasQueuedThreads);
        waiterThread[0].interrupt(); // from the test's platform thread: an unpark, no use of the lock
        assertThat(Await.result(waiter)).isEqualTo("interrupted");
        assertThat(lock.hasQueuedThreads()).isFalse();
        release.countDown();
        Await.result(holder);
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.isShardAffine()).isTrue();
    }

    @Test
    void aPlatformThreadFirstMakesItSharedAndUnlockByANonOwnerIsRefused() throws Exception {
        BridgeLock lock = BridgeLock.shardAffine();
        lock.lock();
        lock.unlock();
        assertThat(lock.isShardAffine()).as("first used off any shard").isFalse();
        BridgeLock home = BridgeLock.shardAffine();
        CountDownLatch locked = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Object> holder = on(bridge, 0, () -> {
            home.lock();
            locked.countDown();
            Bridge.await(release); // the holder's thread stays busy: the next task runs on another thread
            home.unlock();
            return null;
        });
        assertThat(locked.await(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(home.isShardAffine()).isTrue();
        assertThatThrownBy(() -> Await.result(on(bridge, 0, () -> {
            home.unlock(); // another home thread: not the owner
            return null;
        }))).isInstanceOf(IllegalMonitorStateException.class);
        assertThat(home.isLocked()).isTrue();
        release.complete(null);
        Await.result(holder);
        assertThat(home.isLocked()).isFalse();
    }

    /** A critical section that counts with a plain field and checks that it is alone. */
    private static final class Counted {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();
        volatile int count; // written only by the lock's owner; volatile for the test thread's polls

        Void run(BridgeLock lock, int rounds, boolean yieldInside) {
            for (int r = 0; r < rounds; r++) {
                lock.lock();
                try {
                    maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    int seen = count;
                    if (yieldInside) {
                        Thread.yield(); // hold it across a suspension: the others queue, the unlock hands off
                    }
                    count = seen + 1;
                    inside.decrementAndGet();
                } finally {
                    lock.unlock();
                }
            }
            return null;
        }
    }

    private static String lockedCall(BridgeLock lock, String result) {
        lock.lock();
        try {
            return result;
        } finally {
            lock.unlock();
        }
    }

    private static void allOf(List<CompletableFuture<Void>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    /** Completes once {@code latch} opens; a thread of its own waits (not the common pool, which has one worker on 2 CPUs). */
    static CompletableFuture<Void> whenOpen(CountDownLatch latch) {
        CompletableFuture<Void> open = new CompletableFuture<>();
        onPlatformThread(() -> {
            awaitQuietly(latch);
            open.complete(null);
        });
        return open;
    }

    static void onPlatformThread(Runnable task) {
        Thread.ofPlatform().daemon().name("affine-test-platform").start(task);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
