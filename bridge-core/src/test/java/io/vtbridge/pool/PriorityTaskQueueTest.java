package io.vtbridge.pool;

import io.vtbridge.Priority;
import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.vtbridge.Priority.HIGH;
import static io.vtbridge.Priority.LOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class PriorityTaskQueueTest {

    /** A task that only has a name, for readable failures. */
    private record Named(String name) implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void handsOutEveryHighTaskBeforeAnyLowTaskAndEachLevelInOrder() {
        PriorityTaskQueue queue = new PriorityTaskQueue(10);
        Named l1 = new Named("l1");
        Named h1 = new Named("h1");
        Named l2 = new Named("l2");
        Named h2 = new Named("h2");
        assertThat(queue.offer(LOW, l1)).isTrue();
        assertThat(queue.offer(HIGH, h1)).isTrue();
        assertThat(queue.offer(LOW, l2)).isTrue();
        assertThat(queue.offer(HIGH, h2)).isTrue();
        assertThat(queue.size()).isEqualTo(4);
        assertThat(queue.size(HIGH)).isEqualTo(2);
        assertThat(queue.size(LOW)).isEqualTo(2);

        assertThat(queue.poll()).isSameAs(h1);
        assertThat(queue.poll()).isSameAs(h2);
        Named h3 = new Named("h3");
        queue.offer(HIGH, h3); // a HIGH that arrives later still overtakes the queued LOWs
        assertThat(queue.poll()).isSameAs(h3);
        assertThat(queue.poll()).isSameAs(l1);
        assertThat(queue.poll()).isSameAs(l2);
        assertThat(queue.poll()).isNull();
        assertThat(queue.size()).isZero();
    }

    @Test
    void capacityCountsBothLevelsAndComesBackAfterATake() {
        PriorityTaskQueue queue = new PriorityTaskQueue(2);
        assertThat(queue.offer(LOW, new Named("l"))).isTrue();
        assertThat(queue.offer(HIGH, new Named("h"))).isTrue();
        assertThat(queue.offer(HIGH, new Named("h2"))).isFalse();
        assertThat(queue.enqueue(LOW, new Named("l2"))).isEqualTo(PriorityTaskQueue.Offer.FULL);
        assertThat(queue.size()).isEqualTo(2);

        assertThat(queue.poll()).isEqualTo(new Named("h"));
        assertThat(queue.offer(LOW, new Named("l3"))).isTrue();
        assertThat(queue.offer(LOW, new Named("l4"))).isFalse();
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new PriorityTaskQueue(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity").hasMessageContaining("0");
        assertThatThrownBy(() -> new PriorityTaskQueue(-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
        PriorityTaskQueue queue = new PriorityTaskQueue(1);
        assertThatThrownBy(() -> queue.offer(null, new Named("x"))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("priority");
        assertThatThrownBy(() -> queue.offer(HIGH, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("task");
        assertThat(queue.size()).isZero();
    }

    @Test
    void removeComparesByIdentityAndDrainKeepsHandOutOrder() {
        PriorityTaskQueue queue = new PriorityTaskQueue(10);
        Named a = new Named("same");
        Named b = new Named("same"); // equal to a, not the same task
        Named h = new Named("h");
        queue.offer(LOW, a);
        queue.offer(LOW, b);
        queue.offer(HIGH, h);
        assertThat(queue.remove(b)).isTrue();
        assertThat(queue.remove(b)).isFalse();
        assertThat(queue.remove(new Named("h"))).isFalse();
        assertThat(queue.remove(null)).isFalse();

        Named l = new Named("l");
        queue.offer(LOW, l);
        List<Runnable> drained = queue.drain();
        assertThat(drained).hasSize(3);
        assertThat(drained.get(0)).isSameAs(h);
        assertThat(drained.get(1)).isSameAs(a);
        assertThat(drained.get(2)).isSameAs(l);
        assertThat(queue.size()).isZero();
        assertThat(queue.drain()).isEmpty();
    }

    @Test
    void timedTakeReturnsNullWhenNothingComes() throws Exception {
        PriorityTaskQueue queue = new PriorityTaskQueue(1);
        assertThat(queue.take(1, TimeUnit.MILLISECONDS)).isNull();
        assertThat(queue.take(0, TimeUnit.MILLISECONDS)).isNull();
        Named t = new Named("t");
        queue.offer(LOW, t);
        assertThat(queue.take(0, TimeUnit.MILLISECONDS)).isSameAs(t);
    }

    @Test
    void takeWaitsForAnOfferAndTheOfferSeesTheWaitingTaker() throws Exception {
        PriorityTaskQueue queue = new PriorityTaskQueue(4);
        CompletableFuture<Runnable> taken = new CompletableFuture<>();
        Thread taker = Thread.ofPlatform().start(() -> {
            try {
                taken.complete(queue.take());
            } catch (Throwable e) {
                taken.completeExceptionally(e);
            }
        });
        awaitWaitingTakers(queue, 1);
        assertThat(taken).isNotDone();

        Named first = new Named("first");
        Named second = new Named("second");
        // One waiting taker: the first offer has one; the second, before that taker took anything, has none.
        assertThat(queue.enqueue(HIGH, first)).isEqualTo(PriorityTaskQueue.Offer.QUEUED);
        assertThat(queue.enqueue(HIGH, second)).isEqualTo(PriorityTaskQueue.Offer.QUEUED_NO_IDLE_TAKER);
        assertThat(taken.get(10, TimeUnit.SECONDS)).isSameAs(first);
        Await.join("the taker ends", taker);
        assertThat(queue.waitingTakers()).isZero();
        assertThat(queue.enqueue(LOW, new Named("third"))).isEqualTo(PriorityTaskQueue.Offer.QUEUED_NO_IDLE_TAKER);
    }

    @Test
    void takeIsInterruptible() throws Exception {
        PriorityTaskQueue queue = new PriorityTaskQueue(1);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread taker = Thread.ofPlatform().start(() -> {
            try {
                queue.take();
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        awaitWaitingTakers(queue, 1);
        taker.interrupt();
        Await.join("the interrupted taker ends", taker);
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(queue.waitingTakers()).isZero();
    }

    @Test
    void closeRefusesOffersAndReleasesTakersOnceEmpty() throws Exception {
        PriorityTaskQueue queue = new PriorityTaskQueue(4);
        Named left = new Named("left");
        queue.offer(LOW, left);
        CompletableFuture<Runnable> taken = new CompletableFuture<>();

        queue.close();
        assertThat(queue.isClosed()).isTrue();
        assertThat(queue.enqueue(HIGH, new Named("late"))).isEqualTo(PriorityTaskQueue.Offer.CLOSED);
        assertThat(queue.offer(HIGH, new Named("late"))).isFalse();
        assertThat(queue.take()).isSameAs(left); // what is queued still comes out
        assertThat(queue.take()).isNull();       // then null, without waiting
        assertThat(queue.take(1, TimeUnit.DAYS)).isNull();

        PriorityTaskQueue open = new PriorityTaskQueue(4);
        Thread taker = Thread.ofPlatform().start(() -> {
            try {
                taken.complete(open.take());
            } catch (Throwable e) {
                taken.completeExceptionally(e);
            }
        });
        awaitWaitingTakers(open, 1);
        open.close();
        assertThat(taken.get(10, TimeUnit.SECONDS)).isNull();
        Await.join("the released taker ends", taker);
    }

    @Test
    void concurrentProducersAndTakersLoseAndDuplicateNothing() throws Exception {
        int producers = 2;
        int perProducer = 50_000;
        PriorityTaskQueue queue = new PriorityTaskQueue(64);
        Set<Runnable> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch allTaken = new CountDownLatch(1);
        int total = producers * perProducer;

        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    Runnable task;
                    while ((task = queue.take()) != null) {
                        if (!seen.add(task)) {
                            duplicates.incrementAndGet();
                        }
                        if (taken.incrementAndGet() == total) {
                            allTaken.countDown();
                        }
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        List<Thread> offerers = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            offerers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perProducer; i++) {
                    Runnable task = new Named(id + ":" + i);
                    Priority priority = i % 3 == 0 ? LOW : HIGH;
                    Await.spin("the queue takes task " + task, () -> queue.offer(priority, task)); // full: back off, as a pool's caller would
                }
            }));
        }
        for (Thread t : offerers) {
            Await.join("producer " + t.getName() + " offered all its tasks", t);
        }
        assertThat(allTaken.await(30, TimeUnit.SECONDS)).as("every task taken").isTrue();
        queue.close(); // releases the takers
        for (Thread t : threads) {
            Await.join("taker " + t.getName() + " ends once the queue is closed", t);
        }
        assertThat(duplicates.get()).isZero();
        assertThat(seen).hasSize(total);
        assertThat(queue.size()).isZero();
    }

    /** Waits until {@code n} threads wait in take(). */
    private static void awaitWaitingTakers(PriorityTaskQueue queue, int n) throws InterruptedException {
        Await.until(n + " thread(s) wait in take()", () -> queue.waitingTakers() == n);
    }
}
