package io.vtbridge;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vtbridge.testing.Await.WAIT_SECONDS;
import static io.vtbridge.testing.BridgeFixture.on;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link BridgeSemaphore} in bridged code on two shards and from platform threads: the permit
 * bound, strict FIFO (no barging, also by {@code tryAcquire()}), timeouts and interrupts that
 * withdraw the request, and resumes on the waiter's own shard.
 *
 * <p>Grants happen under the semaphore's guard inside {@code release}, so right after a
 * {@code release} returns, {@link BridgeSemaphore#availablePermits()} and
 * {@link BridgeSemaphore#getQueueLength()} already say who was granted: the FIFO tests check them
 * step by step. "Is queued" steps wait for the queue length; no sleep decides an outcome.
 */
@Timeout(60)
class BridgeSemaphoreTest {

    @TestBridge(shards = 2)
    private Bridge bridge;

    // ---- the bound ------------------------------------------------------------------------------

    @Test
    void kPermitsAdmitExactlyKHoldersAtOnce() throws Exception {
        int k = 3;
        BridgeSemaphore semaphore = new BridgeSemaphore(k);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        List<CompletableFuture<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < 10 * k; i++) {
            tasks.add(on(bridge, i % 2, () -> {
                semaphore.acquire();
                try {
                    maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    Bridge.sleep(Duration.ofMillis(5)); // suspended while holding a permit
                    inside.decrementAndGet();
                } finally {
                    semaphore.release();
                }
                return null;
            }));
        }
        for (CompletableFuture<Void> task : tasks) {
            Await.result(task);
        }
        assertThat(maxInside.get()).as("most holders at once").isEqualTo(k);
        assertThat(semaphore.availablePermits()).isEqualTo(k);
        assertThat(semaphore.hasQueuedThreads()).isFalse();
    }

    @Test
    void negativeCountsAreRejectedByValueAndOverflowIsAnError() {
        assertThatThrownBy(() -> new BridgeSemaphore(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        BridgeSemaphore semaphore = new BridgeSemaphore(1);
        assertThatThrownBy(() -> semaphore.acquire(-2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2");
        assertThatThrownBy(() -> semaphore.tryAcquire(-3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
        assertThatThrownBy(() -> semaphore.release(-4)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-4");
        assertThat(semaphore.availablePermits()).isEqualTo(1);

        BridgeSemaphore full = new BridgeSemaphore(Integer.MAX_VALUE - 1);
        full.release();
        assertThat(full.availablePermits()).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(full::release).isInstanceOf(Error.class).hasMessageContaining("Maximum permit count")
                .hasMessageContaining(Integer.MAX_VALUE + " available, 1 released");
        assertThatThrownBy(() -> full.release(Integer.MAX_VALUE)).isInstanceOf(Error.class)
                .hasMessageContaining(Integer.MAX_VALUE + " released");
        assertThat(full.availablePermits()).as("unchanged by the failed releases").isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void timedWaitsWithoutAUnitAreRefusedByName() {
        BridgeSemaphore semaphore = new BridgeSemaphore(0);
        assertThatThrownBy(() -> semaphore.tryAcquire(1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
        assertThatThrownBy(() -> semaphore.tryAcquire(2, 1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
        BridgeLock lock = new BridgeLock();
        assertThatThrownBy(() -> lock.tryLock(1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
        BridgeReadWriteLock rw = new BridgeReadWriteLock();
        assertThatThrownBy(() -> rw.readLock().tryLock(1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
        assertThatThrownBy(() -> rw.writeLock().tryLock(1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
        assertThat(lock.isLocked()).isFalse();
        assertThat(semaphore.availablePermits()).isZero();
    }

    // ---- FIFO -----------------------------------------------------------------------------------

    @Test
    void aLargeRequestAtTheHeadIsNotStarvedBySmallOnes() throws Exception {
        BridgeSemaphore semaphore = new BridgeSemaphore(0);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> requests = new ArrayList<>();
        requests.add(on(bridge, 0, () -> {
            semaphore.acquire(3);
            order.add("3");
            return null;
        }));
        Await.until("acquire(3) is queued", () -> semaphore.getQueueLength() == 1);
        for (int i = 1; i <= 3; i++) {
            String name = "1#" + i;
            requests.add(on(bridge, i % 2, () -> {
                semaphore.acquire(1);
                order.add(name);
                return null;
            }));
            int queued = i + 1;
            Await.until(name + " is queued", () -> semaphore.getQueueLength() == queued);
        }

        // One permit at a time. The first two would each satisfy a small request, but the large
        // one is first in line: nobody is served until it can be. After each grant the test waits
        // for the woken request to record itself, so the order list is the grant order.
        semaphore.release();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(semaphore.getQueueLength()).isEqualTo(4);
        semaphore.release();
        assertThat(semaphore.availablePermits()).isEqualTo(2);
        assertThat(semaphore.getQueueLength()).isEqualTo(4);
        semaphore.release();
        assertThat(semaphore.availablePermits()).as("the third permit completes acquire(3)").isZero();
        assertThat(semaphore.getQueueLength()).isEqualTo(3);
        Await.until("acquire(3) returned", () -> order.size() == 1);
        for (int left = 2; left >= 0; left--) {
            semaphore.release();
            assertThat(semaphore.availablePermits()).isZero();
            assertThat(semaphore.getQueueLength()).isEqualTo(left);
            int recorded = 4 - left;
            Await.until("a small request returned", () -> order.size() == recorded);
        }
        for (CompletableFuture<Void> request : requests) {
            Await.result(request);
        }
        assertThat(order).containsExactly("3", "1#1", "1#2", "1#3");
    }

    @Test
    void tryAcquireDoesNotBargePastAQueuedRequest() throws Exception {
        BridgeSemaphore semaphore = new BridgeSemaphore(1);
        CompletableFuture<Void> two = on(bridge, 0, () -> {
            semaphore.acquire(2);
            semaphore.release(2);
            return null;
        });
        Await.until("acquire(2) is queued", () -> semaphore.getQueueLength() == 1);
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(semaphore.tryAcquire()).as("platform thread, a permit free, someone queued").isFalse();
        boolean bridgedTry = Await.result(on(bridge, 1, () -> semaphore.tryAcquire()));
        assertThat(bridgedTry).as("bridged, a permit free, someone queued").isFalse();
        assertThat(semaphore.tryAcquire(0, TimeUnit.SECONDS)).isFalse();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        semaphore.release();
        Await.result(two);
        assertThat(semaphore.availablePermits()).isEqualTo(2);
        assertThat(semaphore.tryAcquire()).as("nobody queued any more").isTrue();
    }

    // ---- timeouts and interrupts ----------------------------------------------------------------

    @Test
    void timedTryAcquireTimesOutInBridgedCodeOnALoopTimerAndLeavesTheQueue() throws Exception {
        BridgeSemaphore semaphore = new BridgeSemaphore(0);
        long timersFiredBefore = bridge.shard(1).stats().timersFired();
        CompletableFuture<long[]> waiter = on(bridge, 1, () -> {
            long t0 = System.nanoTime();
            boolean acquired = semaphore.tryAcquire(100, TimeUnit.MILLISECONDS);
            return new long[] {acquired ? 1 : 0, System.nanoTime() - t0};
        });
        long[] r = Await.result(waiter);
        assertThat(r[0]).as("acquired").isZero();
        assertThat(r[1]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(bridge.shard(1).stats().timersFired() - timersFiredBefore).as("loop timers fired").isGreaterThanOrEqualTo(1);
        assertThat(Await.result(on(bridge, 1, () -> bridge.shard(1).loop().timers().size()))).as("timers left").isZero();
        assertThat(semaphore.getQueueLength()).isZero();
        semaphore.release();
        assertThat(semaphore.availablePermits()).as("the timed-out waiter took nothing").isEqualTo(1);
    }

    @Test
    void timedTryAcquireTimesOutOnAPlatformThread() throws Exception {
        BridgeSemaphore semaphore = new BridgeSemaphore(1);
        long t0 = System.nanoTime();
        assertThat(semaphore.tryAcquire(2, 100, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(semaphore.getQueueLength()).isZero();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(semaphore.tryAcquire(1, WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aTimedOutHeadLetsTheSmallerRequestBehindItProceed() throws Exception {
        BridgeSemaphore semaphore = new BridgeSemaphore(1);
        // The large request's timeout is a timer of shard 0's loop. This task holds that loop from
        // the moment the request is queued until the small one is queued behind it, so the timeout
        // cannot fire before then, however slow the machine.
        CompletableFuture<Void> hold = on(bridge, 0, () -> {
            Await.spin("the timed acquire(3) is queued", () -> semaphore.getQueueLength() == 1); // yields: it runs
            Await.spinOnCarrier("acquire(1) is queued behind it", () -> semaphore.getQueueLength() == 2);
            return null;
        });
        CompletableFuture<Boolean> large = on(bridge, 0, () -> semaphore.tryAcquire(3, 200, TimeUnit.MILLISECONDS));
        Await.until("the timed acquire(3) is queued", () -> semaphore.getQueueLength() == 1);
        CompletableFuture<Integer> small = on(bridge, 1, () -> {
            semaphore.acquire(1); // fits the free permit, but waits behind the large request
            return semaphore.availablePermits();
        });
        Await.result("shard 0 let go once acquire(1) was queued behind the large request", hold);
        // Nobody releases anything: only the large request's withdrawal can let the small one in.
        assertThat(Await.result(large)).as("the large request timed out").isFalse();
        assertThat(Await.result(small)).as("permits left once the small request got the free one").isZero();
        assertThat(semaphore.getQueueLength()).isZero();
    }

    @Test
    void anInterruptedQueuedAcquireThrowsAndWithdraws() throws Exception {
        BridgeSemaphore semaphore = new BridgeSemaphore(0);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread t = bridge.shard(0).newThread(() -> {
            try {
                semaphore.acquire();
                outcome.complete("acquired");
            } catch (InterruptedException e) {
                outcome.complete("interrupted, flag cleared=" + !Thread.currentThread().isInterrupted());
            }
        });
        t.start();
        Await.until("acquire() is queued", () -> semaphore.getQueueLength() == 1);
        t.interrupt();
        assertThat(Await.result("the interrupted acquire()'s outcome", outcome)).isEqualTo("interrupted, flag cleared=true");
        Await.join("the interrupted acquirer ends", t);
        assertThat(semaphore.getQueueLength()).isZero();
        semaphore.release();
        assertThat(semaphore.availablePermits()).as("the withdrawn request took nothing").isEqualTo(1);
    }

    @Test
    void aPendingInterruptFailsAnAcquireEvenWithPermitsFree() throws Exception {
        BridgeSemaphore semaphore = new BridgeSemaphore(1);
        assertThat(Await.result(on(bridge, 0, () -> {
            Thread.currentThread().interrupt();
            try {
                semaphore.acquire();
                return "acquired";
            } catch (InterruptedException e) {
                return "interrupted";
            }
        }))).isEqualTo("interrupted");
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void acquireUninterruptiblyWaitsThroughAnInterruptAndKeepsTheStatus() throws Exception {
        BridgeSemaphore semaphore = new BridgeSemaphore(0);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread t = bridge.shard(1).newThread(() -> {
            semaphore.acquireUninterruptibly();
            outcome.complete("acquired, interrupted=" + Thread.currentThread().isInterrupted());
        });
        t.start();
        Await.until("acquireUninterruptibly() is queued", () -> semaphore.getQueueLength() == 1);
        // Queued is not yet parked: wait until it has unmounted, so that the interrupt below wakes a parked waiter.
        Await.until("acquireUninterruptibly() suspended", () -> lockEvents(EventPhase.SUSPEND) == 1);
        t.interrupt();
        // The interrupt wakes it (a RESUME); a correct acquire finds no permit and parks again (a
        // second SUSPEND). A broken one returns or withdraws instead, and this wait fails.
        Await.until("the interrupted acquireUninterruptibly() resumed and parked again",
                () -> lockEvents(EventPhase.RESUME) == 1 && lockEvents(EventPhase.SUSPEND) == 2);
        assertThat(outcome).as("still waiting after the interrupt").isNotDone();
        assertThat(semaphore.getQueueLength()).isEqualTo(1);
        semaphore.release();
        assertThat(Await.result("the uninterruptible acquire's outcome", outcome)).isEqualTo("acquired, interrupted=true");
        Await.join("the acquirer ends", t);
        assertThat(semaphore.availablePermits()).isZero();

        // Interrupted before the call, with a permit free: granted at once, the status untouched.
        semaphore.release();
        assertThat(Await.result(on(bridge, 0, () -> {
            Thread.currentThread().interrupt();
            semaphore.acquireUninterruptibly();
            return Thread.interrupted();
        }))).isTrue();
        assertThat(semaphore.availablePermits()).isZero();
    }

    // ---- drain ----------------------------------------------------------------------------------

    @Test
    void drainPermitsTakesWhatIsFreeUnlessSomeoneIsQueued() throws Exception {
        BridgeSemaphore semaphore = new BridgeSemaphore(5);
        assertThat(semaphore.tryAcquire(2)).isTrue();
        assertThat(semaphore.drainPermits()).isEqualTo(3);
        assertThat(semaphore.availablePermits()).isZero();
        assertThat(semaphore.drainPermits()).isZero();

        // With a request queued, the free permits are kept for it (no barging, also by drain).
        CompletableFuture<Void> two = on(bridge, 0, () -> {
            semaphore.acquire(2);
            return null;
        });
        Await.until("acquire(2) is queued", () -> semaphore.getQueueLength() == 1);
        semaphore.release();
        assertThat(semaphore.drainPermits()).isZero();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        semaphore.release();
        Await.result(two);
        assertThat(semaphore.availablePermits()).isZero();
    }

    // ---- platform threads -----------------------------------------------------------------------

    @Test
    void worksBetweenPlainPlatformThreads() throws Exception {
        int k = 2;
        BridgeSemaphore semaphore = new BridgeSemaphore(k);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 6; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int round = 0; round < 200; round++) {
                        semaphore.acquire();
                        try {
                            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            Thread.yield();
                            inside.decrementAndGet();
                        } finally {
                            semaphore.release();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            Await.join("platform thread " + t.getName() + " ends its rounds", t);
        }
        assertThat(failures).isEmpty();
        assertThat(maxInside.get()).isBetween(1, k);
        assertThat(semaphore.availablePermits()).isEqualTo(k);

        // A platform thread blocked in acquire() is released by another platform thread.
        BridgeSemaphore gate = new BridgeSemaphore(0);
        CompletableFuture<String> waiter = new CompletableFuture<>();
        Thread blocked = Thread.ofPlatform().start(() -> {
            try {
                gate.acquire();
                waiter.complete("acquired");
            } catch (InterruptedException e) {
                waiter.complete("interrupted");
            }
        });
        Await.until("the platform thread is queued", () -> gate.getQueueLength() == 1);
        Await.join("the releasing platform thread ends", Thread.ofPlatform().start(gate::release));
        assertThat(Await.result("the blocked platform thread's outcome", waiter)).isEqualTo("acquired");
        Await.join("the blocked platform thread ends", blocked);
    }

    // ---- across shards --------------------------------------------------------------------------

    @Test
    void aReleaseOnAnotherShardResumesTheWaiterOnItsOwnShard() throws Exception {
        BridgeSemaphore semaphore = new BridgeSemaphore(0);
        long suspendsBefore = bridge.shard(0).stats().events(EventPhase.SUSPEND, EventKind.LOCK);
        CompletableFuture<String> waiter = on(bridge, 0, () -> {
            int before = Bridge.current().orElseThrow().index();
            semaphore.acquire();
            return before + "->" + Bridge.current().orElseThrow().index();
        });
        Await.until("the waiter on shard 0 is queued", () -> semaphore.getQueueLength() == 1);
        // Queued is not yet parked: wait until its virtual thread has unmounted, so that the release
        // below must resume it (through shard 0's inbound queue) rather than leave a permit behind.
        Await.until("the waiter on shard 0 suspended",
                () -> bridge.shard(0).stats().events(EventPhase.SUSPEND, EventKind.LOCK) > suspendsBefore);
        long remoteBefore = bridge.shard(0).stats().remoteResumes();
        assertThat(Await.result(on(bridge, 1, () -> {
            semaphore.release();
            return Bridge.current().orElseThrow().index();
        }))).as("the releaser's shard").isEqualTo(1);
        assertThat(Await.result(waiter)).isEqualTo("0->0");
        assertThat(bridge.shard(0).stats().remoteResumes() - remoteBefore)
                .as("resumes that reached shard 0 through its inbound queue").isGreaterThanOrEqualTo(1);
    }

    /** LOCK events of {@code phase} on shard 1 (where the uninterruptible acquirer runs). */
    private long lockEvents(EventPhase phase) {
        return bridge.shard(1).stats().events(phase, EventKind.LOCK);
    }
}
