package io.vtbridge;

import io.vtbridge.monitor.ShardStats;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import io.vtbridge.testing.BridgeFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class SubmitTest {

    @TestBridge(shards = 2, maxInFlight = 100_000)
    private Bridge bridge;

    @Test
    void submitReturnsTheValueComputedOnABridgedVirtualThread() throws Exception {
        CompletableFuture<String> f = bridge.submit(() -> {
            Thread t = Thread.currentThread();
            return t.isVirtual() + " " + Bridge.current().map(Shard::index).orElse(-1);
        });
        String[] answer = f.get(10, TimeUnit.SECONDS).split(" ");
        assertThat(answer[0]).isEqualTo("true");
        assertThat(Integer.parseInt(answer[1])).isBetween(0, 1);
    }

    @Test
    void aFailingTaskFailsItsFutureAndNotTheLoop() throws Exception {
        CompletableFuture<Object> failed = bridge.submit(() -> {
            throw new IOException("disk on fire");
        });
        assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IOException.class).hasMessage("disk on fire");
        CompletableFuture<Object> error = bridge.submit(() -> {
            throw new StackOverflowError("deep");
        });
        assertThatThrownBy(() -> error.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(StackOverflowError.class);
        // Both loops still serve work.
        for (Shard shard : bridge.shards()) {
            assertThat(BridgeFixture.on(shard, () -> Bridge.current().orElseThrow().index())
                    .get(10, TimeUnit.SECONDS)).isEqualTo(shard.index());
        }
        assertThat(bridge.stats()).allSatisfy(s -> assertThat(s.dropped()).isZero());
    }

    @Test
    void sameKeyAlwaysLandsOnTheSameShard() throws Exception {
        List<String> keys = List.of("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta");
        for (String key : keys) {
            int expected = bridge.shardFor(key).index();
            List<CompletableFuture<Integer>> seen = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                seen.add(bridge.submit(key, () -> Bridge.current().orElseThrow().index()));
            }
            for (CompletableFuture<Integer> f : seen) {
                assertThat(f.get(10, TimeUnit.SECONDS)).as("key %s", key).isEqualTo(expected);
            }
        }
        // Keys spread over both shards.
        assertThat(keys.stream().map(k -> bridge.shardFor(k).index()).distinct().count()).isEqualTo(2);
    }

    @Test
    void childVirtualThreadsInheritTheShard() throws Exception {
        for (Shard shard : bridge.shards()) {
            CompletableFuture<List<Integer>> f = BridgeFixture.on(shard, () -> {
                int parent = Bridge.current().orElseThrow().index();
                AtomicReference<Optional<Shard>> child = new AtomicReference<>();
                AtomicReference<Optional<Shard>> grandChild = new AtomicReference<>();
                Thread t = Thread.ofVirtual().start(() -> {
                    child.set(Bridge.current());
                    Thread g = Thread.ofVirtual().start(() -> grandChild.set(Bridge.current()));
                    try {
                        Await.join("the grandchild ends", g);
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                });
                Await.join("the child ends", t);
                return List.of(parent, child.get().orElseThrow().index(), grandChild.get().orElseThrow().index());
            });
            int expected = shard.index();
            assertThat(f.get(10, TimeUnit.SECONDS)).containsExactly(expected, expected, expected);
        }
    }

    @Test
    void currentIsEmptyOutsideBridgedCode() throws Exception {
        assertThat(Bridge.current()).isEmpty();
        AtomicReference<Optional<Shard>> onDefaultVirtual = new AtomicReference<>();
        Await.join("the plain virtual thread ends", Thread.ofVirtual().start(() -> onDefaultVirtual.set(Bridge.current())));
        assertThat(onDefaultVirtual.get()).isEmpty();
    }

    @Test
    void newThreadStartsABridgedThreadOnThatShard() throws Exception {
        Shard shard = bridge.shard(1);
        AtomicReference<Optional<Shard>> seen = new AtomicReference<>();
        Thread t = shard.newThread(() -> seen.set(Bridge.current()));
        assertThat(t.isVirtual()).isTrue();
        assertThat(t.getState()).isEqualTo(Thread.State.NEW);
        t.start();
        Await.join("the bridged thread ends", t);
        assertThat(seen.get()).containsSame(shard);
    }

    @Test
    void executeRunsTheCommandAndReportsItsFailureToTheUncaughtHandler() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        bridge.execute(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();

        // The exception goes to the thread's handler, as with ThreadPoolExecutor.execute.
        AtomicReference<Throwable> uncaught = new AtomicReference<>();
        CountDownLatch reported = new CountDownLatch(1);
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            uncaught.set(e);
            reported.countDown();
        });
        try {
            bridge.execute(() -> {
                throw new IllegalStateException("boom");
            });
            assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(uncaught.get()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    @Test
    void obtrudeIsRefusedOnBridgeFutures() throws Exception {
        CompletableFuture<Integer> f = bridge.submit(() -> 1);
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> f.obtrudeValue(2)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> f.obtrudeException(new RuntimeException())).isInstanceOf(UnsupportedOperationException.class);
        assertThat(f.join()).isEqualTo(1);
    }

    @Test
    void statsCountTasksMountsAndResumes() throws Exception {
        List<CompletableFuture<Integer>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(bridge.submit(() -> {
                Thread.yield(); // a suspend and a same-shard resume
                return 1;
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        // Futures complete inside the task, just before its counters move: wait for inFlight.
        Await.until("no task in flight", () -> bridge.inFlight() == 0);
        long started = bridge.stats().stream().mapToLong(ShardStats::tasksStarted).sum();
        long finished = bridge.stats().stream().mapToLong(ShardStats::tasksFinished).sum();
        long resumes = bridge.stats().stream().mapToLong(ShardStats::resumes).sum();
        long local = bridge.stats().stream().mapToLong(ShardStats::localResumes).sum();
        assertThat(started).isEqualTo(100);
        assertThat(finished).isEqualTo(100);
        assertThat(resumes).isGreaterThanOrEqualTo(100);
        assertThat(local).isGreaterThanOrEqualTo(100);
    }
}
