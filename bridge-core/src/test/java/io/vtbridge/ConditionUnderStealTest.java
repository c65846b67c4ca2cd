package io.vtbridge;

import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link BridgeLock} and its condition under the steal: hundreds of unkeyed tasks on two shards
 * take the lock (every fourth time with a timed {@code tryLock}) and wait on one condition with short
 * timeouts while a platform thread signals all of them every 200 µs; a coop budget of 2 makes the
 * budget's yield frequent. Unmounting inside a primitive (the guard's spin yields, the coop budget
 * yields) lets the idle shard take the thread; the primitive must then use the loop that carries the
 * thread, not the one it started on. It once did not: a timed wait probed "pinned" on the old loop, failed an
 * assertion after it had let the lock go, and left its waiter queued, so a later signal handed the
 * lock to a thread that had left (an {@code IllegalMonitorStateException} in the next unlock, then
 * every thread stuck).
 */
@Timeout(120)
class ConditionUnderStealTest {

    private static final int WAITERS = 300;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(8);

    @Test
    void timedConditionWaitsKeepMutualExclusionWhileThreadsMoveBetweenShards() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(2).coopBudget(2).maxInFlight(WAITERS + 100).build()) {
            BridgeLock lock = new BridgeLock();
            Condition changed = lock.newCondition();
            long[] version = {1};                    // guarded by lock
            int[] inside = {0};                      // guarded by lock: threads between lock and unlock
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong waits = new AtomicLong();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<CompletableFuture<Object>> tasks = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                tasks.add(bridge.submit(() -> {
                    for (long round = 0; !stop.get(); round++) {
                        if (round % 4 == 3) {
                            if (!lock.tryLock(1, TimeUnit.MILLISECONDS)) {
                                continue;
                            }
                        } else {
                            lock.lock();
                        }
                        try {
                            if (++inside[0] != 1) {
                                failures.add(new AssertionError("two threads inside the lock"));
                            }
                            long since = version[0];
                            long nanos = TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextInt(1, 20));
                            while (version[0] <= since && nanos > 0) {
                                inside[0]--;
                                nanos = changed.awaitNanos(nanos);
                                if (!lock.isHeldByCurrentThread()) {
                                    failures.add(new AssertionError("awaitNanos returned without the lock: " + lock));
                                }
                                inside[0]++;
                            }
                            waits.incrementAndGet();
                            inside[0]--;
                        } catch (Throwable t) {
                            failures.add(t);
                            throw t;
                        } finally {
                            lock.unlock();
                        }
                    }
                    return null;
                }));
            }
            Thread signaller = Thread.ofPlatform().name("signaller").daemon(true).start(() -> {
                while (!stop.get()) {
                    lock.lock();
                    try {
                        version[0]++;
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                    LockSupport.parkNanos(200_000);
                }
            });
            long end = System.nanoTime() + RUN_NANOS;
            while (System.nanoTime() - end < 0 && failures.isEmpty()) {
                Thread.sleep(50); // a time-bounded run, polled for an early failure: not a synchronisation
            }
            stop.set(true);
            signaller.join(TimeUnit.SECONDS.toMillis(Await.WAIT_SECONDS));
            assertThat(signaller.isAlive()).as("the signaller got the lock back (%s); failures: %s", lock, failures).isFalse();
            for (CompletableFuture<Object> task : tasks) {
                task.get(Await.WAIT_SECONDS, TimeUnit.SECONDS);
            }
            assertThat(failures).isEmpty();
            assertThat(waits.get()).as("waits done").isGreaterThan(WAITERS);
            assertThat(lock.isLocked()).isFalse();
            assertThat(lock.hasQueuedThreads()).isFalse();
            assertThat(bridge.shard(0).threadsStolen() + bridge.shard(1).threadsStolen())
                    .as("threads taken by the other shard: what the test is about").isPositive();
        }
    }
}
