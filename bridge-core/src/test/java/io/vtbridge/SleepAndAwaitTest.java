package io.vtbridge;

import io.vtbridge.monitor.ShardStats;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class SleepAndAwaitTest {

    @TestBridge(shards = 1)
    private Bridge bridge;

    @Test
    void bridgeSleepSuspendsOnALoopTimerWhileTheLoopServesOthers() throws Exception {
        long slept = Await.result(bridge.submit(() -> {
            long t0 = System.nanoTime();
            Bridge.sleep(Duration.ofMillis(200));
            return System.nanoTime() - t0;
        }));
        assertThat(slept).as("at least the duration asked for").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(bridge.shard(0).stats().timersFired()).isGreaterThanOrEqualTo(1);
        // One shard: the sleeper sleeps in short turns until the other task has run. If a sleep held
        // the loop, the other task could never run and neither would finish.
        assertTheLoopServesOthersWhileASleeperSleeps(otherRan -> {
            do {
                Bridge.sleep(Duration.ofMillis(5));
            } while (!otherRan.get());
        }, Thread.State.WAITING, "Bridge.sleep");
    }

    @Test
    void shortSleepsNeverEndEarlyOnceTheLoopParksAheadOfItsTimers() throws Exception {
        // The idle loop parks short of its next timer by how late its parks ended (TimerLead) and
        // spins the rest: it wakes early on purpose, and a timer must still fire only when due.
        // 300 Bridge.sleeps of 200 µs, one after another: the loop parks before each of them. (A
        // Thread.sleep would hide an early timer: the JDK parks again until its time is up.)
        long shortest = Await.result(bridge.submit(() -> {
            long min = Long.MAX_VALUE;
            for (int i = 0; i < 300; i++) {
                long t0 = System.nanoTime();
                Bridge.sleep(Duration.ofNanos(200_000));
                min = Math.min(min, System.nanoTime() - t0);
            }
            return min;
        }));
        assertThat(shortest).as("the shortest of the sleeps, ns").isGreaterThanOrEqualTo(200_000);
        assertThat(bridge.shard(0).stats().loopParks()).as("the loop parked between them").isGreaterThan(0);
    }

    @Test
    void bridgeSleepWakesInDeadlineOrder() throws Exception {
        // Submitted longest first: a timer queue that woke them in arrival order would say "cab".
        // Each sleeper notes its deadline (now + its duration) right before it sleeps; the expected
        // order is that of these deadlines, so a slow start on a busy machine changes what is
        // expected, never the verdict.
        Map<Character, Long> deadlines = new ConcurrentHashMap<>();
        StringBuffer order = new StringBuffer();
        List<CompletableFuture<?>> sleepers = new ArrayList<>();
        for (char name : new char[] {'c', 'a', 'b'}) {
            Duration duration = Duration.ofMillis(switch (name) {
                case 'a' -> 30;
                case 'b' -> 120;
                default -> 210;
            });
            sleepers.add(bridge.submit(() -> {
                deadlines.put(name, System.nanoTime() + duration.toNanos());
                Bridge.sleep(duration);
                order.append(name);
                return null;
            }));
        }
        for (CompletableFuture<?> sleeper : sleepers) {
            Await.result(sleeper);
        }
        String byDeadline = deadlines.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .map(e -> e.getKey().toString()).collect(Collectors.joining());
        assertThat(order.toString()).as("wake-up order; deadlines %s", deadlines).isEqualTo(byDeadline);
    }

    @Test
    void threadSleepInBridgedCodeAlsoUnmounts() throws Exception {
        assertTheLoopServesOthersWhileASleeperSleeps(otherRan -> {
            do {
                Thread.sleep(5);
            } while (!otherRan.get());
        }, Thread.State.TIMED_WAITING, "Thread.sleep");
        // On JDK 25 (the ForkJoinPool facade) the expiry is a timer on the loop's own heap, which
        // resumes the sleeper through the local run queue; elsewhere the JDK's timer thread resumes
        // it through the inbound queue.
        ShardStats stats = bridge.shard(0).stats();
        if (Runtime.version().feature() == 25) {
            assertThat(stats.localResumes()).isGreaterThanOrEqualTo(1);
            assertThat(stats.expiryResumes()).isZero();
        } else {
            assertThat(stats.remoteResumes()).isGreaterThanOrEqualTo(2);
        }
    }

    /** A sleeper's body: sleeps in turns until {@code otherRan} is set. */
    private interface Sleeper {
        void sleepUntil(AtomicBoolean otherRan) throws InterruptedException;
    }

    /**
     * Runs {@code sleeper} on the one shard, waits until its thread is in {@code state} inside
     * {@code frame} (asleep), then runs another task on the same shard, which can run only while the
     * sleeper is unmounted, and which ends the sleeper's turns.
     */
    private void assertTheLoopServesOthersWhileASleeperSleeps(Sleeper sleeper, Thread.State state, String frame)
            throws Exception {
        AtomicBoolean otherRan = new AtomicBoolean();
        CompletableFuture<Thread> sleeperThread = new CompletableFuture<>();
        CompletableFuture<Void> sleeping = bridge.submit(() -> {
            sleeperThread.complete(Thread.currentThread());
            sleeper.sleepUntil(otherRan);
            return null;
        });
        Await.state(Await.result("the sleeper started", sleeperThread), state, frame);
        CompletableFuture<Boolean> other = bridge.submit(() -> {
            otherRan.set(true);
            return sleeping.isDone();
        });
        assertThat(Await.result("the other task, which runs only while the sleeper is unmounted", other))
                .as("the sleeper was done when the other task ran").isFalse();
        Await.result("the sleeper, which ends once the other task ran", sleeping);
    }

    @Test
    void interruptingABridgeSleepThrowsAndRemovesTheTimer() throws Exception {
        CountDownLatch sleeping = new CountDownLatch(1);
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread t = bridge.shard(0).newThread(() -> {
            try {
                sleeping.countDown();
                Bridge.sleep(Duration.ofHours(1));
                f.complete("woke");
            } catch (InterruptedException e) {
                f.complete("interrupted, flag cleared=" + !Thread.currentThread().isInterrupted());
            }
        });
        t.start();
        Await.latch("the bridged thread is about to sleep", sleeping);
        t.interrupt();
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("interrupted, flag cleared=true");
        Await.join("the interrupted sleeper ends", t);
        // The hour-long timer is gone: the loop has nothing left to wait for.
        assertThat(bridge.submit(() -> bridge.shard(0).loop().timers().size()).get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void bridgeSleepWithAPendingInterruptThrowsAtOnce() throws Exception {
        CompletableFuture<Boolean> f = bridge.submit(() -> {
            Thread.currentThread().interrupt();
            try {
                Bridge.sleep(Duration.ofMillis(1));
                return false;
            } catch (InterruptedException expected) {
                return true;
            }
        });
        assertThat(f.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void zeroNegativeAndHugeDurationsAreSafe() throws Exception {
        assertThat(bridge.submit(() -> {
            Bridge.sleep(Duration.ZERO);
            Bridge.sleep(Duration.ofMillis(-5));
            return "ok";
        }).get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        CompletableFuture<Object> forever = bridge.submit(() -> {
            Bridge.sleep(Duration.ofSeconds(Long.MAX_VALUE)); // does not overflow the timer heap
            return "woke";
        });
        assertThat(bridge.submit(() -> "still serving").get(10, TimeUnit.SECONDS)).isEqualTo("still serving");
        forever.cancel(true);
        assertThatThrownBy(() -> forever.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
    }

    /** Its static initialiser sleeps: class initialisation pins the virtual thread on every JDK. */
    static final class SleepsWhileInitialising {
        static final long SLEPT_NANOS;

        static {
            long t0 = System.nanoTime();
            try {
                Bridge.sleep(Duration.ofMillis(50));
            } catch (InterruptedException e) {
                throw new ExceptionInInitializerError(e);
            }
            SLEPT_NANOS = System.nanoTime() - t0;
        }
    }

    @Test
    void bridgeSleepInAPinnedThreadBlocksForTheDurationInsteadOfDeadlockingTheShard() throws Exception {
        // Pinned, the thread cannot unmount; a park would park the loop itself, and the loop timer
        // meant to wake it could never fire. It must fall back to blocking the carrier for 50 ms.
        CompletableFuture<Long> pinned = bridge.submit(() -> SleepsWhileInitialising.SLEPT_NANOS);
        assertThat(pinned.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(bridge.submit(() -> "shard still serves").get(10, TimeUnit.SECONDS)).isEqualTo("shard still serves");
    }

    @Test
    void sleepOutsideBridgedCodeFallsBackToThreadSleep() throws Exception {
        long t0 = System.nanoTime();
        Bridge.sleep(Duration.ofMillis(30));
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Bridge.sleep(Duration.ofMillis(30))).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void awaitSuspendsUntilTheStageCompletesOnAnotherThread() throws Exception {
        CompletableFuture<String> external = new CompletableFuture<>();
        CompletableFuture<String> waiter = bridge.submit(() -> Bridge.await(external) + "!");
        // The loop is free while the waiter is suspended.
        assertThat(bridge.submit(() -> "other").get(10, TimeUnit.SECONDS)).isEqualTo("other");
        assertThat(waiter).isNotDone();
        Thread.ofPlatform().start(() -> external.complete("done"));
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("done!");
    }

    @Test
    void awaitRethrowsTheStagesOwnFailure() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Object> failing = new CompletableFuture<>();
        CompletableFuture<Throwable> seen = bridge.submit(() -> {
            try {
                Bridge.await(failing);
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        failing.completeExceptionally(boom);
        assertThat(seen.get(10, TimeUnit.SECONDS)).isSameAs(boom);

        CompletableFuture<Object> checked = CompletableFuture.failedFuture(new IOException("io"));
        assertThat(bridge.submit(() -> {
            try {
                Bridge.await(checked);
                return null;
            } catch (CompletionException e) {
                return e.getCause();
            }
        }).get(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class).hasMessage("io");

        CompletableFuture<Object> cancelled = new CompletableFuture<>();
        cancelled.cancel(false);
        assertThatThrownBy(() -> Bridge.await(cancelled)).isInstanceOf(CancellationException.class);
    }

    @Test
    void awaitIsInterruptible() throws Exception {
        CompletableFuture<Object> never = new CompletableFuture<>();
        CompletableFuture<String> waiter = new CompletableFuture<>();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread t = bridge.shard(0).newThread(() -> {
            try {
                waiting.countDown();
                Bridge.await(never);
                waiter.complete("returned");
            } catch (InterruptedException e) {
                waiter.complete("interrupted");
            }
        });
        t.start();
        Await.latch("the bridged thread is about to await", waiting);
        t.interrupt();
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("interrupted");
        assertThat(never).isNotDone();
    }

    @Test
    void awaitOutsideBridgedCodeBlocksAndAcceptsAnyCompletionStage() throws Exception {
        assertThat(Bridge.await(CompletableFuture.completedFuture(7))).isEqualTo(7);
        CompletableFuture<Integer> later = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> later.complete(8));
        assertThat(Bridge.await(later)).isEqualTo(8);
        // A stage that refuses toCompletableFuture() still works.
        CompletionStage<Integer> minimal = CompletableFuture.supplyAsync(() -> 9).minimalCompletionStage();
        CompletionStage<Integer> opaque = opaque(minimal);
        assertThatThrownBy(opaque::toCompletableFuture).isInstanceOf(UnsupportedOperationException.class);
        assertThat(Bridge.await(opaque)).isEqualTo(9);
        assertThat(bridge.submit(() -> Bridge.await(opaque(CompletableFuture.completedStage(10))))
                .get(10, TimeUnit.SECONDS)).isEqualTo(10);
        assertThatThrownBy(() -> Bridge.await(CompletableFuture.failedFuture(new ArithmeticException("x"))))
                .isInstanceOf(ArithmeticException.class);
    }

    /** A stage whose toCompletableFuture() throws, as the interface allows; everything else delegates. */
    @SuppressWarnings("unchecked")
    private static <T> CompletionStage<T> opaque(CompletionStage<T> source) {
        return (CompletionStage<T>) Proxy.newProxyInstance(CompletionStage.class.getClassLoader(),
                new Class<?>[] {CompletionStage.class}, (proxy, method, args) -> {
                    if (method.getName().equals("toCompletableFuture")) {
                        throw new UnsupportedOperationException("opaque stage");
                    }
                    try {
                        return method.invoke(source, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
