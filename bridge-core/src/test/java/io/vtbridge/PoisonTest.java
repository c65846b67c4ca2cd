package io.vtbridge;

import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@Timeout(60)
class PoisonTest {

    @TestBridge(shards = 1)
    private Bridge bridge;

    @Test
    void nullWhatIsRejectedByName() {
        assertThatThrownBy(() -> new Poison<>(null, "state")).isInstanceOf(NullPointerException.class).hasMessage("what");
        boolean sawNull = new Poison<>("nullable state", null).call(s -> s == null);
        assertThat(sawNull).isTrue();
    }

    @Test
    void cleanArmDisarmCyclesLeaveTheStateUsable() {
        List<String> log = new ArrayList<>();
        Poison<List<String>> poison = new Poison<>("log", log);
        for (int i = 0; i < 3; i++) {
            Poison.Guard<List<String>> guard = poison.checkAndArm();
            assertThat(guard.data()).isSameAs(log);
            guard.data().add("guard " + i);
            guard.disarm();
            guard.close(); // after disarm: nothing to poison
        }
        try (Poison.Guard<List<String>> guard = poison.checkAndArm()) {
            guard.data().add("try");
            guard.disarm();
        }
        poison.run(l -> l.add("run"));
        int size = poison.call(List::size);
        assertThat(size).isEqualTo(5);
        assertThat(log).containsExactly("guard 0", "guard 1", "guard 2", "try", "run");
        assertThat(poison.isPoisoned()).isFalse();
        assertThat(poison.poisonedAt()).isEmpty();
        assertThat(poison.what()).isEqualTo("log");
        assertThat(poison).hasToString("Poison[log, clean]");
    }

    @Test
    void aReleasedGuardGivesNoAccessAndCannotTouchALaterArming() {
        Poison<String> poison = new Poison<>("config", "v1");
        Poison.Guard<String> stale = poison.checkAndArm();
        stale.disarm();
        assertThatThrownBy(stale::data).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("data()").hasMessageContaining("already disarmed or closed");
        assertThatThrownBy(stale::disarm).isInstanceOf(IllegalStateException.class).hasMessageContaining("disarm()");

        Poison.Guard<String> current = poison.checkAndArm();
        assertThatThrownBy(stale::disarm).as("a stale guard cannot disarm a later arming")
                .isInstanceOf(IllegalStateException.class);
        stale.close(); // must neither poison nor disarm the current section
        assertThatThrownBy(poison::checkAndArm).as("still armed by current").isInstanceOf(IllegalStateException.class);
        assertThat(poison.isPoisoned()).isFalse();
        current.disarm();
        String value = poison.call(s -> s);
        assertThat(value).isEqualTo("v1");
    }

    @Test
    void anExceptionInsideRunPoisonsAndTheLaterErrorSaysWhatWhenWhoAndWhy() {
        Poison<List<Integer>> poison = new Poison<>("page cache", new ArrayList<>());
        IllegalArgumentException boom = new IllegalArgumentException("bad record 7");
        Instant before = Instant.now();
        assertThatThrownBy(() -> poison.run(pages -> {
            pages.add(1); // half-modified...
            throw boom;   // ...and left
        })).isSameAs(boom);
        Instant after = Instant.now();

        assertThat(poison.isPoisoned()).isTrue();
        Instant at = poison.poisonedAt().orElseThrow();
        assertThat(at).isBetween(before, after);

        PoisonedException e = catchThrowableOfType(PoisonedException.class, poison::checkAndArm);
        assertThat(e).isInstanceOf(IllegalStateException.class);
        assertThat(e.what()).isEqualTo("page cache");
        assertThat(e.at()).isEqualTo(at);
        assertThat(e.thread()).contains(Thread.currentThread().getName()).contains("#" + Thread.currentThread().threadId());
        assertThat(e.getCause()).isSameAs(boom);
        assertThat(e).hasMessage("page cache poisoned at " + at + " by " + e.thread()
                + ": a section was cancelled or failed while armed (cause: " + boom + ")");

        // Final: every later access is refused, and the section does not run.
        AtomicInteger ran = new AtomicInteger();
        assertThatThrownBy(() -> poison.run(p -> ran.incrementAndGet())).isInstanceOf(PoisonedException.class);
        assertThatThrownBy(() -> poison.call(p -> ran.incrementAndGet())).isInstanceOf(PoisonedException.class)
                .hasCause(boom);
        assertThat(ran).hasValue(0);
        assertThat(poison.poisonedAt()).contains(at);
    }

    @Test
    void anErrorInsideCallPoisonsToo() {
        Poison<int[]> poison = new Poison<>("counters", new int[1]);
        AssertionError error = new AssertionError("invariant broken");
        assertThatThrownBy(() -> poison.call(c -> {
            c[0]++;
            throw error;
        })).isSameAs(error);
        assertThatThrownBy(poison::checkAndArm).isInstanceOf(PoisonedException.class).hasCause(error);
    }

    @Test
    void tryWithResourcesWithoutDisarmPoisonsWithNoRecordedCause() {
        Poison<StringBuilder> poison = new Poison<>("buffer", new StringBuilder());
        try (Poison.Guard<StringBuilder> guard = poison.checkAndArm()) {
            guard.data().append("half");
            // forgot disarm(), or returned early
        }
        assertThat(poison.isPoisoned()).isTrue();
        assertThat(poison.toString()).startsWith("Poison[buffer, poisoned at ");
        PoisonedException e = catchThrowableOfType(PoisonedException.class, poison::checkAndArm);
        assertThat(e.getCause()).isNull();
        assertThat(e).hasMessageContaining("buffer poisoned at " + poison.poisonedAt().orElseThrow())
                .hasMessageContaining("cause: not recorded");
    }

    @Test
    void armingTwiceIsAMisuseNamingTheThreadThatArmed() throws Exception {
        Poison<String> poison = new Poison<>("session", "s");
        CompletableFuture<Poison.Guard<String>> armed = new CompletableFuture<>();
        Thread armer = Thread.ofPlatform().name("armer-thread").start(() -> armed.complete(poison.checkAndArm()));
        Poison.Guard<String> guard = armed.get(10, TimeUnit.SECONDS);
        Await.join("the armer thread ends", armer);

        assertThatThrownBy(poison::checkAndArm).isInstanceOf(IllegalStateException.class)
                .isNotInstanceOf(PoisonedException.class)
                .hasMessageContaining("session is already armed by thread #" + armer.threadId() + " 'armer-thread'")
                .hasMessageContaining("not a lock");
        assertThatThrownBy(() -> poison.run(s -> { })).isInstanceOf(IllegalStateException.class)
                .isNotInstanceOf(PoisonedException.class);
        assertThat(poison.toString()).contains("armed by thread #" + armer.threadId());
        // The refused attempts left the first arming alone: it can still complete.
        assertThat(poison.isPoisoned()).isFalse();
        guard.disarm();
        String value = poison.call(s -> s);
        assertThat(value).isEqualTo("s");
    }

    @Test
    void exactlyOneOfManyRacingThreadsArms() throws Exception {
        // A smoke test of the arming CAS; a spin barrier (not a latch, whose wake-ups are staggered
        // by unpark latency) lines the racers up so that their checkAndArm() calls overlap.
        int threads = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
        for (int round = 0; round < 500; round++) {
            Poison<Object> poison = new Poison<>("raced", new Object());
            AtomicInteger arrived = new AtomicInteger();
            List<CompletableFuture<Poison.Guard<Object>>> results = new ArrayList<>();
            List<Thread> racers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                CompletableFuture<Poison.Guard<Object>> result = new CompletableFuture<>();
                results.add(result);
                racers.add(Thread.ofPlatform().start(() -> {
                    try {
                        arrived.incrementAndGet();
                        Await.spin("all " + threads + " racers arrived", () -> arrived.get() >= threads);
                        result.complete(poison.checkAndArm());
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    }
                }));
            }
            for (Thread racer : racers) {
                Await.join("racer " + racer.getName() + " ends (round " + round + ")", racer);
            }
            List<Poison.Guard<Object>> winners = results.stream().filter(r -> !r.isCompletedExceptionally())
                    .map(CompletableFuture::join).toList();
            assertThat(winners).as("round %d", round).hasSize(1);
            assertThat(results.stream().filter(CompletableFuture::isCompletedExceptionally))
                    .allSatisfy(r -> assertThatThrownBy(r::join).hasCauseInstanceOf(IllegalStateException.class)
                            .cause().hasMessageContaining("already armed"));
            winners.get(0).disarm();
            assertThat(poison.isPoisoned()).isFalse();
        }
    }

    @Test
    void aBridgedTaskCancelledInsideAnArmedSectionPoisonsTheStateForLaterTasks() throws Exception {
        List<String> wal = new ArrayList<>();
        Poison<List<String>> poison = new Poison<>("wal buffer", wal);
        ReentrantLock lock = new ReentrantLock(); // Poison is not a lock: the state has its own
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch unwound = new CountDownLatch(1);
        CompletableFuture<Thread> victimThread = new CompletableFuture<>();

        CompletableFuture<Void> victim = bridge.submit(() -> {
            victimThread.complete(Thread.currentThread());
            try {
                lock.lock();
                try (Poison.Guard<List<String>> guard = poison.checkAndArm()) {
                    guard.data().add("begin");
                    inside.countDown();
                    Thread.sleep(Duration.ofHours(1)); // cancelled here
                    guard.data().add("commit");
                    guard.disarm();
                } finally {
                    lock.unlock();
                }
                return null;
            } finally {
                unwound.countDown();
            }
        });
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(poison.isPoisoned()).as("armed, not poisoned, while the section runs").isFalse();
        Instant beforeCancel = Instant.now();
        assertThat(victim.cancel(true)).isTrue();
        // The future completes at once; the task's thread unwinds (and closes the guard) after it.
        assertThat(unwound.await(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> victim.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);

        CompletableFuture<Integer> later = bridge.submit(() -> {
            lock.lock();
            try {
                return poison.call(List::size);
            } finally {
                lock.unlock();
            }
        });
        ExecutionException failed = catchThrowableOfType(ExecutionException.class, () -> later.get(10, TimeUnit.SECONDS));
        assertThat(failed.getCause()).isInstanceOf(PoisonedException.class);
        PoisonedException e = (PoisonedException) failed.getCause();
        assertThat(e.what()).isEqualTo("wal buffer");
        assertThat(e.at()).isBetween(beforeCancel, Instant.now());
        assertThat(e.thread()).as("the cancelled task's own thread")
                .matches("virtual thread #" + victimThread.get().threadId() + "( '.*')?");
        assertThat(e).hasMessageContaining("wal buffer poisoned at " + e.at() + " by " + e.thread());
        assertThat(wal).containsExactly("begin");
    }

    @Test
    void aBridgedTaskCancelledWhileWaitingInsideRunRecordsWhyItLeft() throws Exception {
        Poison<int[]> poison = new Poison<>("balance", new int[] {100});
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch unwound = new CountDownLatch(1);

        CompletableFuture<Void> victim = bridge.submit(() -> {
            try {
                poison.run(balance -> {
                    balance[0] -= 30; // debited, not yet credited
                    inside.countDown();
                    try {
                        never.await(); // cancelled here
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CancellationException("transfer interrupted after the debit");
                    }
                });
                return null;
            } finally {
                unwound.countDown();
            }
        });
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(victim.cancel(true)).isTrue();
        assertThat(unwound.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Integer> later = bridge.submit(() -> poison.call(balance -> balance[0]));
        assertThatThrownBy(() -> later.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PoisonedException.class)
                .hasMessageContaining("balance poisoned at ")
                .hasMessageContaining("cause: java.util.concurrent.CancellationException: transfer interrupted after the debit")
                .cause().isInstanceOf(CancellationException.class);
    }
}
