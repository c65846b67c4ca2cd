package io.vtbridge;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

import static io.vtbridge.testing.Await.WAIT_SECONDS;
import static io.vtbridge.testing.BridgeFixture.on;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link BridgeReadWriteLock} in bridged code on two shards (and from platform threads): shared
 * readers, exclusive writers, writer preference, hand-off to every reader queued before the next
 * writer, re-entrancy, downgrade, timeouts, interrupts, conditions, and resumes on the waiter's own
 * shard.
 *
 * <p>Every "is queued" step waits for {@link BridgeReadWriteLock#getQueueLength()} to reach the
 * expected value; every "is inside" step waits on a latch. No sleep decides an outcome: the few
 * {@code Bridge.sleep}s inside critical sections only widen the window in which a broken lock would
 * let someone in.
 */
@Timeout(60)
class BridgeReadWriteLockTest {

    @TestBridge(shards = 2)
    private Bridge bridge;
    private BridgeReadWriteLock rw;
    private Lock readLock;
    private Lock writeLock;

    @BeforeEach
    void start() {
        rw = new BridgeReadWriteLock();
        readLock = rw.readLock();
        writeLock = rw.writeLock();
    }

    // ---- shared and exclusive -------------------------------------------------------------------

    @Test
    void readersHoldTheReadLockAllAtOnce() throws Exception {
        int n = 8;
        CountDownLatch inside = new CountDownLatch(n);
        CountDownLatch leave = new CountDownLatch(1);
        List<CompletableFuture<Void>> readers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            readers.add(on(bridge, i % 2, () -> {
                readLock.lock();
                try {
                    inside.countDown();
                    Await.latch("the test lets the readers go", leave);
                } finally {
                    readLock.unlock();
                }
                return null;
            }));
        }
        // No reader unlocks before `leave` opens: the latch reaching zero means all n are inside together.
        Await.latch("all " + n + " readers are inside at once", inside);
        assertThat(rw.getReadLockCount()).isEqualTo(n);
        assertThat(rw.isWriteLocked()).isFalse();
        leave.countDown();
        for (CompletableFuture<Void> reader : readers) {
            Await.result(reader);
        }
        assertThat(rw.getReadLockCount()).isZero();
    }

    @Test
    void noReaderAndNoOtherWriterIsInsideWhileAWriterIs() throws Exception {
        AtomicInteger readersInside = new AtomicInteger();
        AtomicInteger writersInside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        int rounds = 30;
        List<CompletableFuture<Void>> bridged = new ArrayList<>();
        for (int id = 0; id < 12; id++) {
            int task = id;
            bridged.add(on(bridge, task % 2, () -> {
                mixedRounds(task, rounds, readersInside, writersInside, violations, writes);
                return null;
            }));
        }
        // Two platform threads too: real parallelism beside the two loops, and plain blocking waits.
        List<CompletableFuture<Void>> platform = new ArrayList<>();
        for (int id = 12; id < 14; id++) {
            int task = id;
            platform.add(CompletableFuture.runAsync(() -> {
                try {
                    mixedRounds(task, rounds, readersInside, writersInside, violations, writes);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        for (CompletableFuture<Void> f : bridged) {
            Await.result(f);
        }
        for (CompletableFuture<Void> f : platform) {
            Await.result(f);
        }
        assertThat(violations.get()).as("someone inside beside a writer").isZero();
        assertThat(writes.get()).as("writes done").isEqualTo(14 * rounds / 3);
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.getReadLockCount()).isZero();
        assertThat(rw.getQueueLength()).isZero();
    }

    /** One thread's share of the exclusion test: every third round writes, the rest read; some rounds suspend inside. */
    private void mixedRounds(int task, int rounds, AtomicInteger readersInside, AtomicInteger writersInside,
                             AtomicInteger violations, AtomicInteger writes) throws InterruptedException {
        for (int round = 0; round < rounds; round++) {
            boolean suspendInside = round % 2 == 0;
            if ((task + round) % 3 == 0) {
                writeLock.lock();
                try {
                    if (writersInside.incrementAndGet() != 1 || readersInside.get() != 0) {
                        violations.incrementAndGet();
                    }
                    pause(suspendInside);
                    if (writersInside.get() != 1 || readersInside.get() != 0) {
                        violations.incrementAndGet();
                    }
                    writes.incrementAndGet();
                    writersInside.decrementAndGet();
                } finally {
                    writeLock.unlock();
                }
            } else {
                readLock.lock();
                try {
                    readersInside.incrementAndGet();
                    if (writersInside.get() != 0) {
                        violations.incrementAndGet();
                    }
                    pause(suspendInside);
                    if (writersInside.get() != 0) {
                        violations.incrementAndGet();
                    }
                    readersInside.decrementAndGet();
                } finally {
                    readLock.unlock();
                }
            }
        }
    }

    /** Suspends (a loop timer, in bridged code) or just yields: the window in which a broken lock lets someone in. */
    private static void pause(boolean suspend) throws InterruptedException {
        if (suspend) {
            Bridge.sleep(Duration.ofMillis(1));
        } else {
            Thread.yield();
        }
    }

    // ---- writer preference and hand-off ---------------------------------------------------------

    @Test
    void aQueuedWriterKeepsNewReadersOutAndGoesFirst() throws Exception {
        CountDownLatch releaseReaders = new CountDownLatch(1);
        CompletableFuture<Void> reader1 = holdOn(0, readLock, releaseReaders);
        CompletableFuture<Void> reader2 = holdOn(1, readLock, releaseReaders);
        assertThat(rw.getReadLockCount()).isEqualTo(2);

        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> writer = on(bridge, 0, () -> {
            writeLock.lock();
            try {
                order.add("writer in");
                Bridge.sleep(Duration.ofMillis(20)); // a window for a reader that would barge in
                order.add("writer out");
            } finally {
                writeLock.unlock();
            }
            return null;
        });
        Await.until("the writer is queued behind the two readers", () -> rw.getQueueLength() == 1);

        // Only readers hold the lock, but a writer waits: a new reader may not pass it.
        assertThat(Await.result(on(bridge, 1, () -> tryReadAndUnlock()))).as("bridged tryLock() past a queued writer").isFalse();
        assertThat(tryReadAndUnlock()).as("platform-thread tryLock() past a queued writer").isFalse();

        CompletableFuture<Void> lateReader = on(bridge, 1, () -> {
            readLock.lock();
            try {
                order.add("late reader in");
            } finally {
                readLock.unlock();
            }
            return null;
        });
        Await.until("the late reader is queued behind the writer (or got in: a failure)",
                () -> rw.getQueueLength() == 2 || !order.isEmpty());
        assertThat(order).as("nobody entered while the first readers held the lock").isEmpty();

        releaseReaders.countDown();
        Await.result(reader1);
        Await.result(reader2);
        Await.result(writer);
        Await.result(lateReader);
        assertThat(order).containsExactly("writer in", "writer out", "late reader in");
        assertThat(rw.getQueueLength()).isZero();
    }

    private boolean tryReadAndUnlock() {
        boolean acquired = readLock.tryLock();
        if (acquired) {
            readLock.unlock();
        }
        return acquired;
    }

    @Test
    void readersQueuedBeforeTheNextWriterAreGrantedTogetherWhenTheWriterReleases() throws Exception {
        CountDownLatch releaseWriter = new CountDownLatch(1);
        CompletableFuture<Void> writer = holdOn(0, writeLock, releaseWriter);

        int n = 3;
        CountDownLatch readersInside = new CountDownLatch(n);
        CountDownLatch leave = new CountDownLatch(1);
        List<CompletableFuture<Void>> readers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            readers.add(on(bridge, i % 2, () -> {
                readLock.lock();
                try {
                    readersInside.countDown();
                    Await.latch("the test lets the readers go", leave);
                } finally {
                    readLock.unlock();
                }
                return null;
            }));
            int queued = i + 1;
            Await.until("reader " + queued + " is queued", () -> rw.getQueueLength() == queued);
        }
        // Behind them: a second writer, then one more reader.
        AtomicBoolean secondWriterWasIn = new AtomicBoolean();
        CompletableFuture<Integer> secondWriter = on(bridge, 1, () -> {
            writeLock.lock();
            try {
                secondWriterWasIn.set(true);
                return rw.getReadLockCount();
            } finally {
                writeLock.unlock();
            }
        });
        Await.until("the second writer is queued", () -> rw.getQueueLength() == n + 1);
        CompletableFuture<Boolean> lastReader = on(bridge, 0, () -> {
            readLock.lock();
            try {
                return secondWriterWasIn.get();
            } finally {
                readLock.unlock();
            }
        });
        Await.until("the last reader is queued", () -> rw.getQueueLength() == n + 2);

        releaseWriter.countDown();
        // The readers stay inside until `leave`: the latch reaching zero means one release let all three in.
        Await.latch("all queued readers are granted at once", readersInside);
        assertThat(rw.getReadLockCount()).isEqualTo(n);
        assertThat(rw.getQueueLength()).as("the second writer and the reader behind it still wait").isEqualTo(2);
        assertThat(secondWriter).isNotDone();
        assertThat(lastReader).isNotDone();

        leave.countDown();
        assertThat(Await.result(secondWriter)).as("readers inside with the second writer").isZero();
        assertThat(Await.result(lastReader)).as("the last reader came after the second writer").isTrue();
        Await.result(writer);
        for (CompletableFuture<Void> reader : readers) {
            Await.result(reader);
        }
    }

    // ---- re-entrancy, downgrade, upgrade --------------------------------------------------------

    @Test
    void bothLocksAreReentrant() throws Exception {
        Await.result(on(bridge, 0, () -> {
            writeLock.lock();
            writeLock.lock();
            assertThat(writeLock.tryLock()).isTrue();
            assertThat(rw.getWriteHoldCount()).isEqualTo(3);
            writeLock.unlock();
            writeLock.unlock();
            assertThat(rw.isWriteLockedByCurrentThread()).isTrue();
            writeLock.unlock();
            assertThat(rw.isWriteLocked()).isFalse();
            assertThat(rw.getWriteHoldCount()).isZero();

            readLock.lock();
            readLock.lock();
            assertThat(readLock.tryLock()).isTrue();
            assertThat(rw.getReadHoldCount()).isEqualTo(3);
            assertThat(rw.getReadLockCount()).isEqualTo(3);
            readLock.unlock();
            readLock.unlock();
            assertThat(rw.getReadHoldCount()).isEqualTo(1);
            readLock.unlock();
            assertThat(rw.getReadHoldCount()).isZero();
            assertThat(rw.getReadLockCount()).isZero();
            return null;
        }));
    }

    @Test
    void aReaderReentersPastAWriterThatIsQueuedForIt() throws Exception {
        // If the second readLock.lock() queued behind the writer, the writer would wait for this
        // reader and the reader for the writer: a deadlock.
        CountDownLatch readerIn = new CountDownLatch(1);
        CountDownLatch reenter = new CountDownLatch(1);
        CompletableFuture<Integer> reader = on(bridge, 0, () -> {
            readLock.lock();
            try {
                readerIn.countDown();
                Await.latch("the writer is queued", reenter);
                readLock.lock();
                try {
                    return rw.getReadHoldCount();
                } finally {
                    readLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        });
        Await.latch("the reader is inside", readerIn);
        CompletableFuture<Boolean> writer = on(bridge, 1, () -> {
            writeLock.lock();
            try {
                return rw.getReadLockCount() == 0;
            } finally {
                writeLock.unlock();
            }
        });
        Await.until("the writer is queued", () -> rw.getQueueLength() == 1);
        reenter.countDown();
        assertThat(Await.result(reader)).isEqualTo(2);
        assertThat(Await.result(writer)).isTrue();
    }

    @Test
    void aWriterDowngradesByTakingTheReadLockThenReleasingTheWriteLock() throws Exception {
        Await.result(on(bridge, 0, () -> {
            writeLock.lock();
            assertThat(Bridge.await(on(bridge, 1, () -> tryReadAndUnlock()))).as("another reader while writing").isFalse();
            readLock.lock();
            writeLock.unlock();
            // Now only a reader: others may read, nobody may write.
            assertThat(rw.isWriteLocked()).isFalse();
            assertThat(rw.getReadHoldCount()).isEqualTo(1);
            assertThat(Bridge.await(on(bridge, 1, () -> tryReadAndUnlock()))).as("another reader after the downgrade").isTrue();
            assertThat(Bridge.await(on(bridge, 1, () -> {
                boolean acquired = writeLock.tryLock();
                if (acquired) {
                    writeLock.unlock();
                }
                return acquired;
            }))).as("another writer after the downgrade").isFalse();
            readLock.unlock();
            assertThat(rw.getReadLockCount()).isZero();
            return null;
        }));
        assertThat(writeLock.tryLock()).isTrue();
        writeLock.unlock();
    }

    @Test
    void anUpgradeAttemptThrowsInsteadOfDeadlocking() throws Exception {
        Await.result(on(bridge, 0, () -> {
            readLock.lock();
            try {
                assertThatThrownBy(writeLock::lock).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("read lock");
                assertThatThrownBy(writeLock::lockInterruptibly).isInstanceOf(IllegalStateException.class);
                // The tries fail instead, as ReentrantReadWriteLock's do: "try to upgrade, else
                // release and re-acquire" code keeps working.
                assertThat(writeLock.tryLock()).isFalse();
                assertThat(writeLock.tryLock(1, TimeUnit.SECONDS)).isFalse();
                assertThat(rw.isWriteLocked()).isFalse();
                assertThat(rw.getQueueLength()).as("the refused request did not queue").isZero();
                assertThat(rw.getReadHoldCount()).isEqualTo(1);
            } finally {
                readLock.unlock();
            }
            // Once the read lock is gone, the write lock is there for the taking.
            writeLock.lock();
            writeLock.unlock();
            return null;
        }));
    }

    @Test
    void awaitingOnTheWriteLocksConditionWhileAlsoReadingIsRefused() throws Exception {
        java.util.concurrent.locks.Condition c = writeLock.newCondition();
        Await.result(on(bridge, 0, () -> {
            writeLock.lock();
            readLock.lock(); // downgrade in progress
            try {
                assertThatThrownBy(c::await).isInstanceOf(IllegalMonitorStateException.class)
                        .hasMessageContaining("read lock");
                assertThat(rw.isWriteLockedByCurrentThread()).as("still the writer").isTrue();
            } finally {
                readLock.unlock();
                writeLock.unlock();
            }
            return null;
        }));
        assertThat(writeLock.tryLock()).isTrue();
        writeLock.unlock();
    }

    @Test
    void aRefusedConditionWaitLeavesNoWaiterForTheNextSignal() throws Exception {
        Condition c = writeLock.newCondition();
        Await.result(on(bridge, 0, () -> {
            writeLock.lock();
            readLock.lock();
            try {
                assertThatThrownBy(c::await).isInstanceOf(IllegalMonitorStateException.class);
            } finally {
                readLock.unlock();
                writeLock.unlock();
            }
            return null;
        }));
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> waiter = on(bridge, 1, () -> {
            writeLock.lock();
            try {
                waiting.countDown();
                return c.await(WAIT_SECONDS, TimeUnit.SECONDS); // true: signalled
            } finally {
                writeLock.unlock();
            }
        });
        waiting.await();
        // The waiter released the lock inside its wait once this thread gets it.
        assertThat(writeLock.tryLock(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        try {
            c.signal();
        } finally {
            writeLock.unlock();
        }
        assertThat(Await.result(waiter)).as("the real waiter got the signal").isTrue();
        assertThat(rw.isWriteLocked()).as("nobody holds the write lock").isFalse();
    }

    @Test
    void holdCountsPastIntegerMaxValueAreRefusedNotWrapped() throws Exception {
        Object sync = field(rw, "sync");
        writeLock.lock();
        try {
            setInt(sync, "writeHolds", Integer.MAX_VALUE);
            assertThatThrownBy(writeLock::lock).isInstanceOf(Error.class).hasMessage("Maximum lock count exceeded");
            assertThat(rw.getWriteHoldCount()).isEqualTo(Integer.MAX_VALUE);
        } finally {
            setInt(sync, "writeHolds", 1);
            writeLock.unlock();
        }
        readLock.lock();
        try {
            setInt(sync, "firstReaderHolds", Integer.MAX_VALUE);
            setInt(sync, "readers", Integer.MAX_VALUE);
            assertThatThrownBy(readLock::lock).isInstanceOf(Error.class).hasMessage("Maximum lock count exceeded");
            assertThat(rw.getReadHoldCount()).isEqualTo(Integer.MAX_VALUE);
            setInt(sync, "firstReaderHolds", 1);
            assertThatThrownBy(readLock::lock).as("all threads' holds at the maximum").isInstanceOf(Error.class)
                    .hasMessage("Maximum lock count exceeded");
            assertThat(rw.getReadLockCount()).isEqualTo(Integer.MAX_VALUE);
        } finally {
            setInt(sync, "firstReaderHolds", 1);
            setInt(sync, "readers", 1);
            readLock.unlock();
        }
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.getReadLockCount()).isZero();
    }

    @Test
    void aReaderThatReentersAfterTheFirstReaderLeftKeepsItsWholeHoldCount() throws Exception {
        CountDownLatch firstHolds = new CountDownLatch(1);
        CountDownLatch secondHolds = new CountDownLatch(1);
        CountDownLatch firstLeft = new CountDownLatch(1);
        Thread first = Thread.ofPlatform().start(() -> {
            readLock.lock();
            firstHolds.countDown();
            try {
                secondHolds.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                readLock.unlock();
                firstLeft.countDown();
            }
        });
        CompletableFuture<List<Integer>> counts = CompletableFuture.supplyAsync(() -> {
            try {
                firstHolds.await();
                readLock.lock();             // the second reader: counted apart from the first
                secondHolds.countDown();
                firstLeft.await();
                readLock.lock();             // again, with the first reader gone
                List<Integer> seen = List.of(rw.getReadHoldCount(), rw.getReadLockCount());
                readLock.unlock();
                readLock.unlock();
                return List.of(seen.get(0), seen.get(1), rw.getReadHoldCount());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, runnable -> Thread.ofPlatform().daemon(true).start(runnable));
        assertThat(counts.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("own holds, all holds, own holds after two unlocks")
                .containsExactly(2, 2, 0);
        first.join();
        assertThat(rw.getReadLockCount()).isZero();
    }

    /** A private field of {@code owner} (the counts, set near their limit: 2<sup>31</sup> real re-entries would take half a minute). */
    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        java.lang.reflect.Field f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(owner);
    }

    private static void setInt(Object owner, String name, int value) throws ReflectiveOperationException {
        java.lang.reflect.Field f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        f.setInt(owner, value);
    }

    @Test
    void manyReadersAtOnceKeepTheirOwnHoldCounts() throws Exception {
        int n = 20;
        java.util.concurrent.CountDownLatch allIn = new java.util.concurrent.CountDownLatch(n);
        java.util.concurrent.CountDownLatch out = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.CompletableFuture<Integer>> fs = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            int extra = i % 3;
            fs.add(on(bridge, i % 2, () -> {
                readLock.lock();
                for (int k = 0; k < extra; k++) {
                    readLock.lock();
                }
                allIn.countDown();
                Bridge.await(java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        Await.latch("the test lets the readers out", out);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                int holds = rw.getReadHoldCount();
                for (int k = 0; k <= extra; k++) {
                    readLock.unlock();
                }
                return holds - 1 - extra; // 0 when the count was this thread's own
            }));
        }
        Await.latch("all " + n + " readers are inside", allIn);
        assertThat(rw.getReadLockCount()).isEqualTo(n + (n / 3) * 3 + (n % 3 > 1 ? 1 : 0));
        out.countDown();
        for (java.util.concurrent.CompletableFuture<Integer> f : fs) {
            assertThat(Await.result(f)).isZero();
        }
        assertThat(rw.getReadLockCount()).isZero();
        assertThat(writeLock.tryLock()).isTrue();
        writeLock.unlock();
    }

    // ---- timeouts and interrupts ----------------------------------------------------------------

    @Test
    void timedTryLockOnAHeldWriteLockTimesOutInBridgedCodeOnALoopTimer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = holdOn(0, writeLock, release);
        long timersFiredBefore = bridge.shard(1).stats().timersFired();
        CompletableFuture<long[]> waiter = on(bridge, 1, () -> {
            long t0 = System.nanoTime();
            boolean write = writeLock.tryLock(100, TimeUnit.MILLISECONDS);
            long writeNanos = System.nanoTime() - t0;
            t0 = System.nanoTime();
            boolean read = readLock.tryLock(50, TimeUnit.MILLISECONDS);
            long readNanos = System.nanoTime() - t0;
            return new long[] {write ? 1 : 0, writeNanos, read ? 1 : 0, readNanos};
        });
        long[] r = Await.result(waiter);
        assertThat(r[0]).as("write tryLock acquired").isZero();
        assertThat(r[1]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(r[2]).as("read tryLock acquired").isZero();
        assertThat(r[3]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        // The timeouts were timers of the waiter's own loop, and both are gone.
        assertThat(bridge.shard(1).stats().timersFired() - timersFiredBefore).isGreaterThanOrEqualTo(2);
        assertThat(Await.result(on(bridge, 1, () -> bridge.shard(1).loop().timers().size()))).isZero();
        assertThat(rw.getQueueLength()).as("the timed-out waiters left the queue").isZero();

        release.countDown();
        Await.result(holder);
        assertThat(Await.result(on(bridge, 1, () -> {
            boolean acquired = writeLock.tryLock(WAIT_SECONDS, TimeUnit.SECONDS);
            writeLock.unlock();
            return acquired;
        }))).isTrue();
    }

    @Test
    void timedTryLockOnAHeldWriteLockTimesOutOnAPlatformThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = holdOn(0, writeLock, release);
        long t0 = System.nanoTime();
        assertThat(writeLock.tryLock(100, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        t0 = System.nanoTime();
        assertThat(readLock.tryLock(50, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(rw.getQueueLength()).isZero();
        release.countDown();
        Await.result(holder);
        assertThat(writeLock.tryLock(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        writeLock.unlock();
    }

    @Test
    void aWriterThatGivesUpLetsTheReadersQueuedBehindItIn() throws Exception {
        CountDownLatch releaseReader = new CountDownLatch(1);
        CompletableFuture<Void> reader = holdOn(0, readLock, releaseReader);
        // The writer's timeout is a timer of shard 1's loop. This task holds that loop from the
        // moment the writer is queued until the late reader is queued behind it, so the timeout
        // cannot fire before then, however slow the machine.
        CompletableFuture<Void> hold = on(bridge, 1, () -> {
            Await.spin("the timed writer is queued", () -> rw.getQueueLength() == 1); // yields: it runs
            Await.spinOnCarrier("the late reader is queued behind the writer", () -> rw.getQueueLength() == 2);
            return null;
        });
        CompletableFuture<Boolean> writer = on(bridge, 1, () -> writeLock.tryLock(200, TimeUnit.MILLISECONDS));
        Await.until("the timed writer is queued", () -> rw.getQueueLength() == 1);
        CompletableFuture<Integer> lateReader = on(bridge, 0, () -> {
            readLock.lock(); // waits behind the writer
            try {
                return rw.getReadLockCount();
            } finally {
                readLock.unlock();
            }
        });
        Await.result("shard 1 let go once the late reader was queued behind the writer", hold);
        // The first reader holds on: only the writer's withdrawal can let the late reader in.
        assertThat(Await.result(writer)).as("the writer timed out").isFalse();
        assertThat(Await.result(lateReader)).as("readers inside with the late reader").isEqualTo(2);
        assertThat(rw.getQueueLength()).isZero();
        releaseReader.countDown();
        Await.result(reader);
    }

    @Test
    void anInterruptedQueuedWriterThrowsAndWithdraws() throws Exception {
        interruptedWhileQueuedThrowsAndWithdraws(writeLock);
    }

    @Test
    void anInterruptedQueuedReaderThrowsAndWithdraws() throws Exception {
        interruptedWhileQueuedThrowsAndWithdraws(readLock);
    }

    /** A writer holds; {@code lock} is requested interruptibly on the other shard and interrupted while queued. */
    private void interruptedWhileQueuedThrowsAndWithdraws(Lock lock) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = holdOn(0, writeLock, release);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread t = bridge.shard(1).newThread(() -> {
            try {
                lock.lockInterruptibly();
                try {
                    outcome.complete("acquired");
                } finally {
                    lock.unlock();
                }
            } catch (InterruptedException e) {
                outcome.complete("interrupted, flag cleared=" + !Thread.currentThread().isInterrupted());
            }
        });
        t.start();
        Await.until("the interruptible request is queued", () -> rw.getQueueLength() == 1);
        t.interrupt();
        assertThat(Await.result("the interrupted request's outcome", outcome)).isEqualTo("interrupted, flag cleared=true");
        Await.join("the interrupted requester ends", t);
        assertThat(rw.getQueueLength()).as("the interrupted request left the queue").isZero();

        // A later writer queues and gets the lock when the holder lets go: the withdrawn request took nothing.
        CompletableFuture<String> later = on(bridge, 1, () -> {
            writeLock.lock();
            try {
                return "writer, readers inside: " + rw.getReadLockCount();
            } finally {
                writeLock.unlock();
            }
        });
        Await.until("the later writer is queued", () -> rw.getQueueLength() == 1);
        release.countDown();
        assertThat(Await.result(later)).isEqualTo("writer, readers inside: 0");
        Await.result(holder);
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.getReadLockCount()).isZero();
    }

    @Test
    void aPendingInterruptFailsLockInterruptiblyAndTimedTryLockAlsoForAReentrantHolder() throws Exception {
        // The Lock contract: "If the current thread has its interrupted status set on entry to this
        // method ... then InterruptedException is thrown" (lockInterruptibly, tryLock(time, unit)),
        // whether or not the lock is free or already held (ReentrantReadWriteLock: the same). Here
        // the writer asks again for both locks, which it may re-enter, each time with its
        // interrupt status set.
        List<String> seen = Await.result(on(bridge, 0, () -> {
            List<String> outcomes = new ArrayList<>();
            writeLock.lock();
            try {
                outcomes.add("read lockInterruptibly: " + withPendingInterrupt(readLock::lockInterruptibly, readLock));
                outcomes.add("write lockInterruptibly: " + withPendingInterrupt(writeLock::lockInterruptibly, writeLock));
                outcomes.add("write tryLock(1 s): "
                        + withPendingInterrupt(() -> writeLock.tryLock(1, TimeUnit.SECONDS), writeLock));
            } finally {
                writeLock.unlock();
            }
            return outcomes;
        }));
        assertThat(seen).containsExactly(
                "read lockInterruptibly: interrupted, flag cleared=true",
                "write lockInterruptibly: interrupted, flag cleared=true",
                "write tryLock(1 s): interrupted, flag cleared=true");
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.getReadLockCount()).isZero();
    }

    /** A call that may acquire or throw InterruptedException. */
    private interface InterruptibleAcquire {
        void acquire() throws InterruptedException;
    }

    /** Sets the interrupt status, calls {@code acquire}, undoes any hold it took, and says what happened. */
    private static String withPendingInterrupt(InterruptibleAcquire acquire, Lock lock) {
        Thread.currentThread().interrupt();
        try {
            acquire.acquire();
            lock.unlock();
            return "acquired, interrupted=" + Thread.interrupted();
        } catch (InterruptedException e) {
            return "interrupted, flag cleared=" + !Thread.currentThread().isInterrupted();
        }
    }

    // ---- conditions -----------------------------------------------------------------------------

    @Test
    void aWriteLockConditionReleasesEveryHoldWhileWaitingAndRestoresThem() throws Exception {
        Condition ready = writeLock.newCondition();
        AtomicBoolean flag = new AtomicBoolean();
        AtomicBoolean signallerOut = new AtomicBoolean();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<String> waiter = on(bridge, 0, () -> {
            writeLock.lock();
            writeLock.lock(); // two holds: await must release both, and give both back
            try {
                waiting.countDown();
                while (!flag.get()) {
                    ready.await();
                }
                return "holds=" + rw.getWriteHoldCount() + " mine=" + rw.isWriteLockedByCurrentThread()
                        + " signaller out=" + signallerOut.get() + " shard=" + Bridge.current().orElseThrow().index();
            } finally {
                writeLock.unlock();
                writeLock.unlock();
            }
        });
        Await.latch("the waiter holds the write lock twice", waiting);
        CompletableFuture<Void> signaller = on(bridge, 1, () -> {
            writeLock.lock(); // possible only once the waiter's await has released both holds
            try {
                flag.set(true);
                ready.signal();
                Bridge.sleep(Duration.ofMillis(20)); // a window in which a broken signal would let the waiter run
                signallerOut.set(true);
            } finally {
                writeLock.unlock();
            }
            return null;
        });
        assertThat(Await.result(waiter)).isEqualTo("holds=2 mine=true signaller out=true shard=0");
        Await.result(signaller);
        assertThat(rw.isWriteLocked()).isFalse();
    }

    @Test
    void aTimedConditionWaitTimesOutOwningTheWriteLockAgain() throws Exception {
        Condition never = writeLock.newCondition();
        assertThat(Await.result(on(bridge, 0, () -> {
            writeLock.lock();
            try {
                long left = never.awaitNanos(TimeUnit.MILLISECONDS.toNanos(50));
                return "left<=0=" + (left <= 0) + " holds=" + rw.getWriteHoldCount();
            } finally {
                writeLock.unlock();
            }
        }))).isEqualTo("left<=0=true holds=1");
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.getQueueLength()).isZero();
        assertThatThrownBy(never::await).as("await without the lock").isInstanceOf(IllegalMonitorStateException.class);
    }

    @Test
    void theReadLockHasNoConditions() {
        assertThatThrownBy(readLock::newCondition).isInstanceOf(UnsupportedOperationException.class);
    }

    // ---- misuse ---------------------------------------------------------------------------------

    @Test
    void unlockingWithoutHoldingThrowsAndChangesNothing() throws Exception {
        assertThatThrownBy(readLock::unlock).isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(writeLock::unlock).isInstanceOf(IllegalMonitorStateException.class);

        CountDownLatch releaseWriter = new CountDownLatch(1);
        CompletableFuture<Void> writer = holdOn(0, writeLock, releaseWriter);
        assertThatThrownBy(writeLock::unlock).as("another thread's write lock").isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(readLock::unlock).isInstanceOf(IllegalMonitorStateException.class);
        assertThat(rw.isWriteLocked()).isTrue();
        releaseWriter.countDown();
        Await.result(writer);

        CountDownLatch releaseReader = new CountDownLatch(1);
        CompletableFuture<Void> reader = holdOn(1, readLock, releaseReader);
        assertThatThrownBy(readLock::unlock).as("another thread's read lock").isInstanceOf(IllegalMonitorStateException.class);
        assertThat(rw.getReadLockCount()).isEqualTo(1);
        releaseReader.countDown();
        Await.result(reader);
        assertThat(rw.getReadLockCount()).isZero();
    }

    // ---- across shards --------------------------------------------------------------------------

    @Test
    void waitersResumeOnTheirOwnShardWhenAnotherShardReleases() throws Exception {
        CountDownLatch releaseWriter = new CountDownLatch(1);
        CompletableFuture<Integer> writer = on(bridge, 0, () -> {
            writeLock.lock();
            try {
                Await.latch("the test lets the writer go", releaseWriter);
                return Bridge.current().orElseThrow().index();
            } finally {
                writeLock.unlock(); // on shard 0: grants the waiters on shard 1
            }
        });
        Await.until("the writer holds the lock", rw::isWriteLocked);
        long suspendsBefore = bridge.shard(1).stats().events(EventPhase.SUSPEND, EventKind.LOCK);

        List<CompletableFuture<String>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Lock lock = i < 2 ? readLock : writeLock; // two readers, then a writer
            waiters.add(on(bridge, 1, () -> {
                int before = Bridge.current().orElseThrow().index();
                lock.lock();
                try {
                    return before + "->" + Bridge.current().orElseThrow().index();
                } finally {
                    lock.unlock();
                }
            }));
            int queued = i + 1;
            Await.until("waiter " + queued + " on shard 1 is queued", () -> rw.getQueueLength() == queued);
        }
        // Queued is not yet parked: wait until all three have unmounted (their loop runs on without
        // them), so that the release must resume them through shard 1's inbound queue.
        Await.until("the waiters on shard 1 suspended",
                () -> bridge.shard(1).stats().events(EventPhase.SUSPEND, EventKind.LOCK) - suspendsBefore >= 3);
        long remoteBefore = bridge.shard(1).stats().remoteResumes();
        releaseWriter.countDown();
        assertThat(Await.result(writer)).isZero();
        for (CompletableFuture<String> w : waiters) {
            assertThat(Await.result(w)).isEqualTo("1->1");
        }
        assertThat(bridge.shard(1).stats().remoteResumes() - remoteBefore)
                .as("resumes that reached shard 1 through its inbound queue").isGreaterThanOrEqualTo(1);

        // And the other way round: a reader on shard 1 holds, a writer on shard 0 waits.
        CountDownLatch releaseReader = new CountDownLatch(1);
        CompletableFuture<Void> reader = holdOn(1, readLock, releaseReader);
        CompletableFuture<String> waitingWriter = on(bridge, 0, () -> {
            int before = Bridge.current().orElseThrow().index();
            writeLock.lock();
            try {
                return before + "->" + Bridge.current().orElseThrow().index();
            } finally {
                writeLock.unlock();
            }
        });
        Await.until("the writer on shard 0 is queued", () -> rw.getQueueLength() == 1);
        releaseReader.countDown();
        assertThat(Await.result(waitingWriter)).isEqualTo("0->0");
        Await.result(reader);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /**
     * A bridged task on {@code shard} that takes {@code lock} and holds it until {@code release}
     * opens; returns once it holds the lock.
     */
    private CompletableFuture<Void> holdOn(int shard, Lock lock, CountDownLatch release) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CompletableFuture<Void> holder = on(bridge, shard, () -> {
            lock.lock();
            try {
                held.countDown();
                Await.latch("the test lets the holder go", release);
            } finally {
                lock.unlock();
            }
            return null;
        });
        Await.latch("the holder took the lock", held);
        return holder;
    }
}
