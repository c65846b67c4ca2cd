package io.vtbridge;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;

import static io.vtbridge.testing.BridgeFixture.on;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class BridgeLockTest {

    @TestBridge(shards = 2)
    private Bridge bridge;

    @Test
    void mutualExclusionHoldsWhileHoldersSuspendInsideTheCriticalSection() throws Exception {
        BridgeLock lock = new BridgeLock();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        long[] counter = {0};
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(bridge.submit(i, () -> {
                for (int j = 0; j < 5; j++) {
                    lock.lock();
                    try {
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        long seen = counter[0];
                        Bridge.sleep(Duration.ofNanos(1)); // suspend while holding the lock
                        Thread.yield();
                        counter[0] = seen + 1;
                        inside.decrementAndGet();
                    } finally {
                        lock.unlock();
                    }
                }
                return null;
            }));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(maxInside.get()).isEqualTo(1);
        assertThat(counter[0]).isEqualTo(1000);
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.hasQueuedThreads()).isFalse();
    }

    @Test
    void aContendedWaiterSuspendsAndTheLoopKeepsServingOthers() throws Exception {
        try (Bridge one = Bridge.builder().shards(1).build()) {
            BridgeLock lock = new BridgeLock();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> holder = one.submit(() -> {
                lock.lock();
                held.countDown();
                try {
                    Bridge.await(CompletableFuture.runAsync(() -> awaitQuietly(release)));
                } finally {
                    lock.unlock();
                }
                return null;
            });
            Await.latch("the holder took the lock", held);
            CompletableFuture<String> waiter = one.submit(() -> {
                lock.lock();
                try {
                    return "got it";
                } finally {
                    lock.unlock();
                }
            });
            Await.until("the waiter is queued", lock::hasQueuedThreads); // from here it is suspended
            // One shard: if the waiter held the loop, this could not run.
            assertThat(one.submit(() -> "other").get(10, TimeUnit.SECONDS)).isEqualTo("other");
            assertThat(waiter).isNotDone();
            long suspendsBefore = one.shard(0).events(EventPhase.SUSPEND, EventKind.LOCK);
            release.countDown();
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("got it");
            holder.get(10, TimeUnit.SECONDS);
            assertThat(suspendsBefore).as("the waiter suspended for the lock").isGreaterThanOrEqualTo(1);
            assertThat(one.shard(0).events(EventPhase.RESUME, EventKind.LOCK)).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void handOffIsFifo() throws Exception {
        try (Bridge one = Bridge.builder().shards(1).build()) {
            BridgeLock lock = new BridgeLock();
            List<Integer> order = new CopyOnWriteArrayList<>();
            lock.lock(); // the test thread (a platform thread) holds it
            List<CompletableFuture<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                waiters.add(one.submit(() -> {
                    lock.lock();
                    try {
                        order.add(n);
                    } finally {
                        lock.unlock();
                    }
                    return null;
                }));
                int queued = i + 1;
                Await.until("waiter " + n + " is queued", () -> lock.getQueueLength() == queued); // a known order
            }
            lock.unlock();
            CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(order).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
        }
    }

    @Test
    void unlockHandsOffAcrossShardsAndTheWaiterResumesOnItsOwnShard() throws Exception {
        BridgeLock lock = new BridgeLock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> holder = on(bridge, 0, () -> {
            lock.lock();
            held.countDown();
            try {
                Bridge.await(CompletableFuture.runAsync(() -> awaitQuietly(release)));
                return Bridge.current().orElseThrow().index();
            } finally {
                lock.unlock();
            }
        });
        Await.latch("the holder on shard 0 took the lock", held);
        CompletableFuture<int[]> waiter = on(bridge, 1, () -> {
            int before = Bridge.current().orElseThrow().index();
            lock.lock();
            try {
                return new int[] {before, Bridge.current().orElseThrow().index()};
            } finally {
                lock.unlock();
            }
        });
        Await.until("the waiter on shard 1 is queued", lock::hasQueuedThreads);
        release.countDown();
        assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo(0);
        assertThat(waiter.get(10, TimeUnit.SECONDS)).containsExactly(1, 1);
    }

    @Test
    void reentrancyCountsHolds() throws Exception {
        BridgeLock lock = new BridgeLock();
        int holds = bridge.submit(() -> {
            lock.lock();
            lock.lock();
            assertThat(lock.tryLock()).isTrue();
            int n = lock.getHoldCount();
            lock.unlock();
            lock.unlock();
            assertThat(lock.isLocked()).isTrue();
            lock.unlock();
            assertThat(lock.isLocked()).isFalse();
            return n;
        }).get(10, TimeUnit.SECONDS);
        assertThat(holds).isEqualTo(3);
    }

    @Test
    void unlockByANonOwnerIsRefused() throws Exception {
        BridgeLock lock = new BridgeLock();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
        lock.lock();
        CompletableFuture<Void> other = bridge.submit(() -> {
            lock.unlock();
            return null;
        });
        assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalMonitorStateException.class);
        lock.unlock();
    }

    @Test
    void tryLockTimesOutOnALoopTimerAndLeavesTheQueue() throws Exception {
        BridgeLock lock = new BridgeLock();
        lock.lock(); // held by the test thread for the whole test
        try {
            long timersBefore = bridge.shard(0).stats().timersFired();
            CompletableFuture<Boolean> timed = on(bridge, 0, () -> lock.tryLock(50, TimeUnit.MILLISECONDS));
            assertThat(timed.get(10, TimeUnit.SECONDS)).isFalse();
            assertThat(lock.hasQueuedThreads()).isFalse();
            assertThat(bridge.shard(0).stats().timersFired()).as("the timeout was a loop timer").isGreaterThan(timersBefore);
            // From a platform thread too.
            CompletableFuture<Boolean> platform = CompletableFuture.supplyAsync(() -> {
                try {
                    return lock.tryLock(20, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> new Thread(r).start());
            assertThat(platform.get(10, TimeUnit.SECONDS)).isFalse();
        } finally {
            lock.unlock();
        }
        assertThat(bridge.submit(lock::tryLock).get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void tryLockWithATimeoutGetsALockReleasedInTime() throws Exception {
        BridgeLock lock = new BridgeLock();
        lock.lock();
        CompletableFuture<Boolean> timed = bridge.submit(() -> {
            boolean got = lock.tryLock(30, TimeUnit.SECONDS);
            if (got) {
                lock.unlock();
            }
            return got;
        });
        Await.until("the timed tryLock is queued", lock::hasQueuedThreads);
        lock.unlock();
        assertThat(timed.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void lockInterruptiblyWithdrawsOnInterrupt() throws Exception {
        BridgeLock lock = new BridgeLock();
        lock.lock();
        CompletableFuture<Void> waiter = bridge.submit(() -> {
            lock.lockInterruptibly();
            lock.unlock();
            return null;
        });
        Await.until("lockInterruptibly() is queued", lock::hasQueuedThreads);
        waiter.cancel(true); // interrupts the task's virtual thread
        Await.until("the interrupted lockInterruptibly() withdraws from the queue", () -> !lock.hasQueuedThreads());
        lock.unlock();
        assertThat(lock.isLocked()).isFalse();
        assertThat(bridge.submit(lock::tryLock).get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void lockIgnoresInterruptsButKeepsTheStatus() throws Exception {
        BridgeLock lock = new BridgeLock();
        lock.lock();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread t = bridge.shard(0).newThread(() -> {
            started.countDown();
            lock.lock();
            result.complete(Thread.currentThread().isInterrupted());
            lock.unlock();
        });
        t.start();
        Await.latch("the bridged thread started", started);
        Await.until("lock() is queued", lock::hasQueuedThreads);
        t.interrupt();
        lock.unlock();
        assertThat(result.get(10, TimeUnit.SECONDS)).isTrue();
        Await.join("the bridged thread ends", t);
    }

    @Test
    void conditionAwaitSignalHandsTheLockBack() throws Exception {
        BridgeLock lock = new BridgeLock();
        Condition ready = lock.newCondition();
        boolean[] flag = {false};
        CompletableFuture<Integer> waiter = on(bridge, 0, () -> {
            lock.lock();
            try {
                lock.lock(); // two holds, restored after the wait
                while (!flag[0]) {
                    ready.await();
                }
                int holds = lock.getHoldCount();
                lock.unlock();
                return holds;
            } finally {
                lock.unlock();
            }
        });
        awaitWaiters(lock, ready, 1);
        on(bridge, 1, () -> {
            lock.lock();
            try {
                flag[0] = true;
                ready.signal();
            } finally {
                lock.unlock();
            }
            return null;
        }).get(10, TimeUnit.SECONDS);
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void signalAllWakesEveryWaiterAndSignalWakesOneInFifoOrder() throws Exception {
        BridgeLock lock = new BridgeLock();
        Condition c = lock.newCondition();
        List<Integer> woke = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            waiters.add(bridge.submit(() -> {
                lock.lock();
                try {
                    c.await();
                    woke.add(n);
                } finally {
                    lock.unlock();
                }
                return null;
            }));
            awaitWaiters(lock, c, i + 1);
        }
        lock.lock();
        c.signal();
        lock.unlock();
        waiters.get(0).get(10, TimeUnit.SECONDS);
        assertThat(woke).containsExactly(0);
        lock.lock();
        c.signalAll();
        lock.unlock();
        CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(woke).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void conditionTimedWaitTimesOutOnALoopTimerAndOwnsTheLockAfter() throws Exception {
        BridgeLock lock = new BridgeLock();
        Condition never = lock.newCondition();
        CompletableFuture<Boolean> f = bridge.submit(() -> {
            lock.lock();
            try {
                boolean signalled = never.await(30, TimeUnit.MILLISECONDS);
                return !signalled && lock.isHeldByCurrentThread();
            } finally {
                lock.unlock();
            }
        });
        assertThat(f.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void conditionAwaitInterruptedThrowsWithTheLockHeld() throws Exception {
        BridgeLock lock = new BridgeLock();
        Condition never = lock.newCondition();
        CompletableFuture<Boolean> heldAfter = new CompletableFuture<>();
        Thread t = bridge.shard(0).newThread(() -> {
            lock.lock();
            try {
                never.await();
                heldAfter.completeExceptionally(new AssertionError("returned without a signal"));
            } catch (InterruptedException expected) {
                heldAfter.complete(lock.isHeldByCurrentThread());
            } finally {
                lock.unlock();
            }
        });
        t.start();
        awaitWaiters(lock, never, 1);
        t.interrupt();
        assertThat(heldAfter.get(10, TimeUnit.SECONDS)).isTrue();
        Await.join("the interrupted waiter ends", t);
        lock.lock();
        try {
            assertThat(((io.vtbridge.sync.LockCondition) never).waitQueueLength()).isZero();
        } finally {
            lock.unlock();
        }
    }

    @Test
    void conditionWithoutTheLockIsRefused() {
        BridgeLock lock = new BridgeLock();
        Condition c = lock.newCondition();
        assertThatThrownBy(c::await).isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(c::signal).isInstanceOf(IllegalMonitorStateException.class);
    }

    @Test
    void awaitUntilADeadlineAlreadyPastReturnsFalseAtOnceEvenTheEarliestDate() throws Exception {
        BridgeLock lock = new BridgeLock();
        Condition c = lock.newCondition();
        // On a thread of its own: a wait that does not return is seen as the future's timeout.
        CompletableFuture<List<Boolean>> results = CompletableFuture.supplyAsync(() -> {
            lock.lock();
            try {
                return List.of(c.awaitUntil(new java.util.Date(Long.MIN_VALUE)),
                        c.awaitUntil(new java.util.Date(System.currentTimeMillis() - 1_000)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                lock.unlock();
            }
        }, runnable -> Thread.ofPlatform().daemon(true).start(runnable));
        assertThat(results.get(10, TimeUnit.SECONDS)).containsExactly(false, false);
    }

    @Test
    void anUncontendedLockTakesNoSuspendAndCountsARequest() throws Exception {
        try (Bridge one = Bridge.builder().shards(1).build()) {
            BridgeLock lock = new BridgeLock();
            one.submit(() -> {
                for (int i = 0; i < 100; i++) {
                    lock.lock();
                    lock.unlock();
                }
                return null;
            }).get(10, TimeUnit.SECONDS);
            Shard shard = one.shard(0);
            assertThat(shard.events(EventPhase.REQUEST, EventKind.LOCK)).isEqualTo(100);
            assertThat(shard.events(EventPhase.SUSPEND, EventKind.LOCK)).isZero();
            assertThat(shard.events(EventPhase.RESUME, EventKind.LOCK)).isZero();
        }
    }

    @Test
    void worksBetweenPlainPlatformThreads() throws Exception {
        BridgeLock lock = new BridgeLock();
        long[] counter = {0};
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int j = 0; j < 10_000; j++) {
                    lock.lock();
                    try {
                        counter[0]++;
                    } finally {
                        lock.unlock();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            Await.join("platform thread " + t.getName() + " ends its 10,000 rounds", t);
        }
        assertThat(counter[0]).isEqualTo(40_000);
    }

    /** Waits until {@code n} threads wait on {@code c} (its queue is read under the lock). */
    private static void awaitWaiters(BridgeLock lock, Condition c, int n) throws InterruptedException {
        Await.until(n + " threads wait on the condition", () -> {
            lock.lock();
            try {
                return ((io.vtbridge.sync.LockCondition) c).waitQueueLength() >= n;
            } finally {
                lock.unlock();
            }
        });
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            Await.latch("the test releases the holder", latch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
