package io.vtbridge.task;

import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class TaskTableTest {

    @Test
    void acquiresEverySlotOnceThenRefuses() {
        TaskTable<String> table = new TaskTable<>(5);
        Set<Integer> slots = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            slots.add(table.acquire("t" + i));
        }
        assertThat(slots).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(table.acquire("overflow")).isEqualTo(-1);
        assertThat(table.used()).isEqualTo(5);
        table.release(3);
        assertThat(table.get(3)).isNull();
        assertThat(table.acquire("again")).isEqualTo(3);
        List<String> seen = new ArrayList<>();
        table.forEach(seen::add);
        assertThat(seen).containsExactlyInAnyOrder("t0", "t1", "t2", "again", "t4");
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new TaskTable<>(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
        assertThatThrownBy(() -> new TaskTable<>(TaskTable.MAX_CAPACITY + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskTable<>(2).release(2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slot");
    }

    @Test
    void concurrentAcquireReleaseNeverHandsOneSlotToTwoHolders() throws Exception {
        int capacity = 8;
        TaskTable<Thread> table = new TaskTable<>(capacity);
        AtomicIntegerArray holders = new AtomicIntegerArray(capacity);
        AtomicReference<String> violation = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 200_000; i++) {
                    int slot = table.acquire(Thread.currentThread());
                    if (slot < 0) {
                        continue;
                    }
                    if (holders.incrementAndGet(slot) != 1) {
                        violation.compareAndSet(null, "slot " + slot + " held twice");
                    }
                    if (table.get(slot) != Thread.currentThread()) {
                        violation.compareAndSet(null, "slot " + slot + " holds another thread's item");
                    }
                    holders.decrementAndGet(slot);
                    table.release(slot);
                }
            }));
        }
        for (Thread t : threads) {
            Await.join("thread " + t.getName() + " ends its rounds", t);
        }
        assertThat(violation.get()).isNull();
        assertThat(table.used()).isZero();
        Set<Integer> all = new HashSet<>();
        for (int i = 0; i < capacity; i++) {
            all.add(table.acquire(Thread.currentThread()));
        }
        assertThat(all).as("no slot lost from the free stack").hasSize(capacity).doesNotContain(-1);
    }

    @Test
    void aReservedSlotCountsAtOnceAndIsSeenByAWalkOnlyOncePublished() {
        TaskTable<String> table = new TaskTable<>(2);
        int slot = table.reserve();
        assertThat(slot).isBetween(0, 1);
        assertThat(table.used()).as("counted from the reserve").isEqualTo(1);
        List<String> walked = new ArrayList<>();
        table.forEach(walked::add);
        assertThat(walked).as("nothing to see before the publish").isEmpty();
        table.publish(slot, "task");
        table.forEach(walked::add);
        assertThat(walked).containsExactly("task");
        assertThat(table.reserve()).isNotEqualTo(slot).isNotNegative();
        assertThat(table.reserve()).as("full").isEqualTo(-1);
        table.release(slot);
        assertThat(table.used()).isEqualTo(1);
    }

    @Test
    void awaitEmptyWakesWhenTheLastSlotIsReleased() throws Exception {
        TaskTable<String> table = new TaskTable<>(2);
        int a = table.acquire("a");
        int b = table.acquire("b");
        assertThat(table.awaitEmpty(10, TimeUnit.MILLISECONDS)).isFalse();
        Thread releaser = Thread.ofPlatform().start(() -> {
            table.release(a);
            table.release(b);
        });
        assertThat(table.awaitEmpty(30, TimeUnit.SECONDS)).isTrue();
        Await.join("the releaser ends", releaser);
    }

    @Test
    void severalWaitersAllWakeWhenTheTableEmpties() throws Exception {
        TaskTable<String> table = new TaskTable<>(1);
        int slot = table.acquire("only");
        int waiters = 3;
        java.util.concurrent.CountDownLatch woke = new java.util.concurrent.CountDownLatch(waiters);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < waiters; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    // An hour: only the release's unpark can wake them within the test's timeout.
                    if (table.awaitEmpty(1, TimeUnit.HOURS)) {
                        woke.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : threads) { // all three parked in awaitEmpty
            Await.state(t, Thread.State.TIMED_WAITING, "awaitEmpty");
        }
        table.release(slot);
        assertThat(woke.await(30, TimeUnit.SECONDS)).isTrue();
    }
}
