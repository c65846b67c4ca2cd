package io.vtbridge.stress;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeLock;
import io.vtbridge.BridgeReadWriteLock;
import io.vtbridge.BridgeSemaphore;
import io.vtbridge.internal.StressHook;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StressTesterTest {

    /** Three threads increment under a lock held across the read-modify-write, and hand a token round through a condition. */
    private static void correctScenario(StressContext ctx) throws Exception {
        BridgeLock lock = new BridgeLock();
        Condition turn = lock.newCondition();
        BridgeSemaphore permits = new BridgeSemaphore(2);
        int[] counter = {0};
        int[] next = {0};
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int me = t;
            threads.add(ctx.fork("t" + t, () -> {
                permits.acquire();
                try {
                    for (int i = 0; i < 2; i++) {
                        lock.lock();
                        try {
                            counter[0] = counter[0] + 1;
                        } finally {
                            lock.unlock();
                        }
                    }
                } finally {
                    permits.release();
                }
                lock.lock();
                try {
                    while (next[0] != me) {
                        turn.await();
                    }
                    next[0]++;
                    turn.signalAll();
                } finally {
                    lock.unlock();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (counter[0] != 6 || next[0] != 3) {
            throw new AssertionError("counter " + counter[0] + ", turns " + next[0]);
        }
    }

    @Test
    void correctCodePassesEverySchedule() {
        for (Strategy strategy : List.of(Strategy.random(), Strategy.pct(2), Strategy.pct(3))) {
            StressResult result = StressTester.builder().strategy(strategy).schedules(300).build()
                    .run(StressTesterTest::correctScenario);
            result.assertPassed();
            assertThat(result.schedules()).isEqualTo(300);
            assertThat(result.nondeterministicSchedules()).isZero();
        }
    }

    @Test
    void aScheduleIdGivesTheSameStepsEveryTimeAndDifferentIdsExploreDifferentOrders() {
        StressTester tester = StressTester.builder().build();
        Set<List<String>> distinct = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            String id = String.format("random-%016x", i * 7919L + 1);
            Schedule first = tester.replay(id, StressTesterTest::correctScenario);
            Schedule again = tester.replay(id, StressTesterTest::correctScenario);
            assertThat(first.passed()).as(first.report()).isTrue();
            assertThat(again.steps()).isEqualTo(first.steps());
            assertThat(first.id()).isEqualTo(id);
            distinct.add(first.steps());
        }
        assertThat(distinct).as("20 seeds, distinct schedules").hasSizeGreaterThan(10);

        String pct = "pct-d3-k40-00000000000000ab";
        assertThat(tester.replay(pct, StressTesterTest::correctScenario).steps())
                .isEqualTo(tester.replay(pct, StressTesterTest::correctScenario).steps());
    }

    @Test
    void timedWaitsAndSleepsRunOnTheVirtualClock() {
        AtomicReference<String> seen = new AtomicReference<>();
        long wallStart = System.nanoTime();
        Schedule schedule = StressTester.builder().build().replay("random-0000000000000001", ctx -> {
            BridgeLock lock = new BridgeLock();
            long t0 = ctx.nanoTime();
            Instant i0 = ctx.clock().instant();
            Thread holder = ctx.fork("holder", () -> {
                lock.lock();
                try {
                    Bridge.sleep(Duration.ofSeconds(30));
                } finally {
                    lock.unlock();
                }
            });
            Thread impatient = ctx.fork("impatient", () -> {
                Bridge.sleep(Duration.ofMillis(1)); // the holder goes first
                if (lock.tryLock(10, TimeUnit.SECONDS)) {
                    lock.unlock();
                    throw new AssertionError("got a lock held for 30 s within 10 s");
                }
                seen.set("gave up at " + (ctx.nanoTime() - t0) / 1_000_000 + " ms");
            });
            holder.join();
            impatient.join();
            assertThat(ctx.nanoTime() - t0).isEqualTo(TimeUnit.SECONDS.toNanos(30));
            assertThat(Duration.between(i0, ctx.clock().instant())).isEqualTo(Duration.ofSeconds(30));
        });
        long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
        assertThat(schedule.passed()).as(schedule.report()).isTrue();
        assertThat(seen.get()).isEqualTo("gave up at 10001 ms");
        assertThat(schedule.virtualNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(30));
        assertThat(schedule.steps()).anyMatch(s -> s.startsWith("TIME +"));
        assertThat(schedule.deterministic()).isTrue();
        assertThat(wallMillis).as("30 s of virtual time, sanity bound on wall time").isLessThan(10_000);
    }

    @Test
    void readWriteLockAndSemaphoreTimeOutsRunOnTheVirtualClock() {
        StressTester.builder().schedules(20).build().run(ctx -> {
            BridgeReadWriteLock rw = new BridgeReadWriteLock();
            BridgeSemaphore none = new BridgeSemaphore(0);
            rw.readLock().lock();
            long t0 = ctx.nanoTime();
            Thread writer = ctx.fork("writer", () -> {
                assertThat(rw.writeLock().tryLock(3, TimeUnit.SECONDS)).isFalse(); // a reader holds it throughout
                assertThat(none.tryAcquire(4, TimeUnit.SECONDS)).isFalse();
            });
            writer.join();
            rw.readLock().unlock();
            assertThat(ctx.nanoTime() - t0).isEqualTo(TimeUnit.SECONDS.toNanos(7));
        }).assertPassed();
    }

    @Test
    void aWakeUpFromOutsideTheSchedulerIsFlaggedNotDeterministic() {
        StressResult result = StressTester.builder().schedules(3).deadlockGrace(Duration.ofSeconds(30)).build().run(ctx -> {
            CompletableFuture<String> fromOutside = new CompletableFuture<>();
            Thread waiter = ctx.fork("waiter", () -> assertThat(Bridge.await(fromOutside)).isEqualTo("done"));
            Thread.ofPlatform().start(() -> { // not a thread of the run: completes once the waiter waits
                while (waiter.getState() != Thread.State.WAITING) {
                    Thread.onSpinWait();
                }
                fromOutside.complete("done");
            });
            waiter.join();
        });
        result.assertPassed();
        assertThat(result.nondeterministicSchedules()).isEqualTo(3);
    }

    @Test
    void monitorsOnJdk24AndLaterWorkButTheirWakeUpsComeFromOutside() {
        // JDK 21-23: a thread blocked in synchronized pins the run's one carrier (docs/STRESS.md).
        Assumptions.assumeTrue(Runtime.version().feature() >= 24, "synchronized pins the carrier before JDK 24");
        Object monitor = new Object();
        StressResult result = StressTester.builder().schedules(20).build().run(ctx -> {
            int[] counter = {0};
            boolean[] ready = {false};
            StressContext.Task contend = () -> {
                synchronized (monitor) {
                    ctx.point();
                    counter[0]++;
                }
            };
            Thread a = ctx.fork("a", contend);
            Thread b = ctx.fork("b", contend);
            Thread waiter = ctx.fork("waiter", () -> {
                synchronized (monitor) {
                    while (!ready[0]) {
                        monitor.wait();
                    }
                }
            });
            ctx.fork("notifier", () -> {
                synchronized (monitor) {
                    ready[0] = true;
                    monitor.notifyAll();
                }
            }).join();
            a.join();
            b.join();
            waiter.join();
            assertThat(counter[0]).isEqualTo(2);
        });
        result.assertPassed();
        assertThat(result.nondeterministicSchedules()).isPositive();
    }

    @Test
    void aVirtualTimeOutWaitsForAWakeUpTheJdkSendsFirst() {
        // Without that, the waiter's 10 s virtual time-out fired while the holder slept 5 ms of real time.
        StressResult result = StressTester.builder().schedules(5).build().run(ctx -> {
            BridgeLock lock = new BridgeLock();
            Thread holder = ctx.fork("holder", () -> {
                lock.lock();
                try {
                    Thread.sleep(5); // the JDK's real-time timer
                } finally {
                    lock.unlock();
                }
            });
            Thread waiter = ctx.fork("waiter", () -> {
                while (!lock.isLocked() && holder.isAlive()) {
                    Bridge.sleep(Duration.ofMillis(1)); // until the holder has it
                }
                assertThat(lock.tryLock(10, TimeUnit.SECONDS)).as("a lock freed 5 ms later, within 10 s").isTrue();
                lock.unlock();
            });
            holder.join();
            waiter.join();
        });
        result.assertPassed();
    }

    @Test
    void aThreadSpinningForAnotherThreadsTimerIsNotALivelock() {
        StressResult result = StressTester.builder().schedules(3).build().run(ctx -> {
            boolean[] done = {false};
            Thread sleeper = ctx.fork("sleeper", () -> {
                Bridge.sleep(Duration.ofSeconds(1));
                done[0] = true;
            });
            Thread spinner = ctx.fork("spinner", () -> {
                while (!done[0]) {
                    Thread.yield();
                }
            });
            sleeper.join();
            spinner.join();
            assertThat(ctx.nanoTime()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        });
        result.assertPassed();
    }

    @Test
    void aMountThatHoldsTheCarrierIsReportedWithItsStack() {
        List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        StressResult result = StressTester.builder().schedules(1)
                .stuckMountReport(Duration.ofMillis(100), reports::add).build()
                .run(ctx -> ctx.fork("busy", () -> {
                    // No scheduling point until the report is out: the carrier is held all along.
                    while (reports.isEmpty()) {
                        Thread.onSpinWait();
                    }
                }).join());
        result.assertPassed();
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0)).contains("thread busy has held the run's one carrier for")
                .contains("StressTesterTest.lambda$aMountThatHoldsTheCarrierIsReportedWithItsStack");
        assertThatThrownBy(() -> StressTester.builder().stuckMountReport(Duration.ofHours(2), s -> { }))
                .hasMessageContaining("PT2H");
    }

    @Test
    void aContextKeptPastItsScheduleIsRefused() {
        AtomicReference<StressContext> first = new AtomicReference<>();
        StressResult result = StressTester.builder().schedules(2).build().run(ctx -> {
            if (!first.compareAndSet(null, ctx)) {
                first.get().fork("late", () -> { });
            }
        });
        Schedule s = result.failure().orElseThrow();
        assertThat(result.schedules()).isEqualTo(2);
        assertThat(s.failure()).get().isInstanceOf(IllegalStateException.class).asString().contains("earlier schedule");
    }

    @Test
    void aFailureInAForkedThreadFailsTheScheduleAndNamesTheThread() {
        StressResult result = StressTester.builder().schedules(5).build().run(ctx -> {
            ctx.fork("worker", () -> {
                throw new IllegalStateException("boom");
            }).join();
        });
        Schedule s = result.failure().orElseThrow();
        assertThat(result.schedules()).isEqualTo(1);
        assertThat(s.outcome()).isEqualTo(Schedule.Outcome.FAILED);
        assertThat(s.failure()).get().isInstanceOf(IllegalStateException.class);
        assertThat(s.failedThread()).contains("worker");
        assertThat(s.report()).contains("cause, in thread worker: java.lang.IllegalStateException: boom");
        assertThatThrownBy(result::assertPassed).isInstanceOf(AssertionError.class)
                .hasMessageContaining(s.id()).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void aDeadlockNamesEachThreadWhatItWaitsForAndWhoHoldsIt() {
        StressResult result = StressTester.builder().build().run(ctx -> {
            BridgeLock x = new BridgeLock();
            BridgeLock y = new BridgeLock();
            Thread a = ctx.fork("a", () -> both(x, y));
            Thread b = ctx.fork("b", () -> both(y, x));
            a.join();
            b.join();
        });
        Schedule s = result.failure().orElseThrow();
        assertThat(s.outcome()).isEqualTo(Schedule.Outcome.DEADLOCK);
        assertThat(s.report())
                .containsPattern("a: waits for BridgeLock#\\d held by b")
                .containsPattern("b: waits for BridgeLock#\\d held by a")
                .containsPattern("deadlock cycle: (a|b) waits for BridgeLock#\\d held by (a|b); (a|b) waits for BridgeLock#\\d held by (a|b)")
                .contains("main: waits for CountDownLatch.Sync#1");
        assertThat(s.steps()).anyMatch(l -> l.matches("#\\d+ RESUME a \\| REQUEST LOCK BridgeLock#\\d \\| YIELD"))
                .anyMatch(l -> l.matches("#\\d+ RESUME (a|b) \\| SUSPEND on BridgeLock#\\d"));
        // lock() does not answer an interrupt: both stay parked; main's join does, and ended.
        assertThat(s.abandonedThreads()).isEqualTo(2);
    }

    private static void both(BridgeLock outer, BridgeLock inner) {
        outer.lock();
        try {
            inner.lock();
            inner.unlock();
        } finally {
            outer.unlock();
        }
    }

    @Test
    void threadsOfADeadlockThatAnswerInterruptsEnd() {
        StressResult result = StressTester.builder().build().run(ctx -> {
            BridgeLock x = new BridgeLock();
            BridgeLock y = new BridgeLock();
            Thread a = ctx.fork("a", () -> interruptibly(x, y));
            Thread b = ctx.fork("b", () -> interruptibly(y, x));
            a.join();
            b.join();
        });
        Schedule s = result.failure().orElseThrow();
        assertThat(s.outcome()).isEqualTo(Schedule.Outcome.DEADLOCK);
        assertThat(s.abandonedThreads()).isZero();
    }

    private static void interruptibly(BridgeLock outer, BridgeLock inner) throws InterruptedException {
        outer.lockInterruptibly();
        try {
            inner.lockInterruptibly();
            inner.unlock();
        } finally {
            outer.unlock();
        }
    }

    @Test
    void theJdkLocksAreSchedulingPointsWhereTheyBlockAndTheirDeadlockIsFound() {
        StressResult result = StressTester.builder().build().run(ctx -> {
            ReentrantLock x = new ReentrantLock();
            ReentrantLock y = new ReentrantLock();
            Thread a = ctx.fork("a", () -> jdkBoth(ctx, x, y));
            Thread b = ctx.fork("b", () -> jdkBoth(ctx, y, x));
            a.join();
            b.join();
        });
        Schedule s = result.failure().orElseThrow();
        assertThat(s.outcome()).isEqualTo(Schedule.Outcome.DEADLOCK);
        assertThat(s.deterministic()).isTrue();
        assertThat(s.report()).contains("a: waits for ReentrantLock.NonfairSync#").contains("b: waits for ReentrantLock.NonfairSync#");
        assertThat(s.abandonedThreads()).isZero();
    }

    private static void jdkBoth(StressContext ctx, ReentrantLock outer, ReentrantLock inner) throws InterruptedException {
        outer.lockInterruptibly();
        try {
            ctx.point(); // the JDK's lock has no scheduling point of its own where it does not block
            inner.lockInterruptibly();
            inner.unlock();
        } finally {
            outer.unlock();
        }
    }

    @Test
    void aScheduleThatRunsPastTheStepBoundIsAPossibleLivelock() {
        StressResult result = StressTester.builder().maxSteps(500).build().run(ctx -> {
            boolean[] done = {false};
            StressContext.Task spin = () -> {
                while (!done[0] && !Thread.currentThread().isInterrupted()) {
                    ctx.point();
                }
            };
            Thread a = ctx.fork("a", spin);
            Thread b = ctx.fork("b", spin);
            a.join();
            b.join();
        });
        Schedule s = result.failure().orElseThrow();
        assertThat(s.outcome()).isEqualTo(Schedule.Outcome.LIVELOCK);
        assertThat(s.stepCount()).isEqualTo(500);
        assertThat(s.report()).contains("possible livelock: still running after 500 steps").contains("last 60 of 500 lines");
        assertThat(s.abandonedThreads()).isZero();
    }

    @Test
    void awaitingAFutureCompletedByAnotherThreadOfTheRunIsPartOfTheSchedule() {
        StressTester.builder().schedules(50).build().run(ctx -> {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            Thread waiter = ctx.fork("waiter", () -> assertThat(Bridge.await(f)).isEqualTo(42));
            ctx.fork("completer", () -> f.complete(42)).join();
            waiter.join();
        }).assertPassed();
    }

    @Test
    void codeThatTakesAnExecutorRunsItsTasksInTheSchedule() {
        StressResult result = StressTester.builder().schedules(200).build().run(ctx -> {
            BridgeLock lock = new BridgeLock();
            int[] counter = {0};
            java.util.function.Supplier<Integer> unsafeIncrement = () -> {
                int seen;
                lock.lock();
                try {
                    seen = counter[0];
                } finally {
                    lock.unlock();
                }
                lock.lock();
                try {
                    counter[0] = seen + 1;
                    return counter[0];
                } finally {
                    lock.unlock();
                }
            };
            CompletableFuture<Integer> a = CompletableFuture.supplyAsync(unsafeIncrement, ctx.executor());
            CompletableFuture<Integer> b = CompletableFuture.supplyAsync(unsafeIncrement, ctx.executor());
            Bridge.await(CompletableFuture.allOf(a, b));
            assertThat(counter[0]).isEqualTo(2);
        });
        Schedule s = result.failure().orElseThrow();
        assertThat(s.deterministic()).isTrue();
        assertThat(s.steps()).anyMatch(l -> l.contains("RESUME task-1")).anyMatch(l -> l.contains("RESUME task-2"));
        assertThat(s.failure()).get().asString().contains("expected: 2");
    }

    @Test
    void badSettingsAndIdsAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> StressTester.builder().schedules(0)).hasMessageContaining(": 0");
        assertThatThrownBy(() -> StressTester.builder().maxSteps(5)).hasMessageContaining(": 5");
        assertThatThrownBy(() -> StressTester.builder().externalWait(Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> StressTester.builder().deadlockGrace(Duration.ofMinutes(2))).hasMessageContaining("PT2M");
        assertThatThrownBy(() -> Strategy.pct(0)).hasMessageContaining(": 0");
        assertThatThrownBy(() -> Strategy.pct(17)).hasMessageContaining(": 17");
        StressTester tester = StressTester.builder().build();
        assertThatThrownBy(() -> tester.replay("nonsense", ctx -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"nonsense\"");
        assertThatThrownBy(() -> tester.replay("pct-d0-k5-0000000000000000", ctx -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tester.run(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aRunMustStartOnAPlatformThreadAndTheContextServesOnlyItsThreads() throws Exception {
        AtomicReference<Throwable> fromVirtual = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                StressTester.builder().build().run(ctx -> { });
            } catch (Throwable t) {
                fromVirtual.set(t);
            }
        }).join();
        assertThat(fromVirtual.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("platform thread");

        AtomicReference<StressContext> leaked = new AtomicReference<>();
        StressTester.builder().schedules(1).build().run(leaked::set).assertPassed();
        assertThatThrownBy(() -> leaked.get().fork("late", () -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> leaked.get().nanoTime()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void outsideARunTheHookIsAbsent() throws Exception {
        assertThat(StressHook.current()).isNull();
        AtomicReference<Object> inVirtual = new AtomicReference<>("unset");
        Thread.ofVirtual().start(() -> inVirtual.set(StressHook.current())).join();
        assertThat(inVirtual.get()).isNull();
        BridgeLock lock = new BridgeLock();
        assertThat(lock.tryLock(1, TimeUnit.MILLISECONDS)).isTrue(); // an uncontended timed acquire outside a run
        lock.unlock();
    }
}
