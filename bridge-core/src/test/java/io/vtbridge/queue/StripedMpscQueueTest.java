package io.vtbridge.queue;

import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class StripedMpscQueueTest {

    @Test
    void anElementOfAnotherStripeWaitsForOneElementOfEachBusyStripeNotForTheirBacklog() {
        StripedMpscQueue<String> q = new StripedMpscQueue<>(8);
        for (int i = 0; i < 1_000; i++) {
            q.offer(0, "burst-" + i, i);
        }
        q.offer(5, "ping", 7_777);
        assertThat(q.poll()).isEqualTo("burst-0");
        assertThat(q.poll()).as("the next stripe with work comes next, however long stripe 0 is").isEqualTo("ping");
        assertThat(q.polledStamp()).isEqualTo(7_777);
        assertThat(q.poll()).isEqualTo("burst-1");
        assertThat(q.polledStamp()).isEqualTo(1);
    }

    @Test
    void busyStripesTakeTurnsAndEachKeepsItsOrder() {
        StripedMpscQueue<Integer> q = new StripedMpscQueue<>(4);
        for (int i = 0; i < 3; i++) {
            q.offer(1, 100 + i, 0);
            q.offer(2, 200 + i, 0);
            q.offer(3 + 4, 300 + i, 0); // stripe indices wrap: 7 is stripe 3
        }
        List<Integer> polled = new ArrayList<>();
        Integer e;
        while ((e = q.poll()) != null) {
            polled.add(e);
        }
        assertThat(polled).containsExactly(100, 200, 300, 101, 201, 301, 102, 202, 302);
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void emptyUntilOfferedAndDrainCountsWhatWasLeft() {
        StripedMpscQueue<Integer> q = new StripedMpscQueue<>(2);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.poll()).isNull();
        assertThat(q.polledStamp()).isZero();
        q.offer(1, 1, 0);
        assertThat(q.isEmpty()).isFalse();
        q.offer(0, 2, 0);
        q.offer(1, 3, 0);
        assertThat(q.drain()).isEqualTo(3);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.stripes()).isEqualTo(2);
    }

    @Test
    void aStripeCountsAsUsedFromItsFirstOfferOn() {
        StripedMpscQueue<Integer> q = new StripedMpscQueue<>(8);
        assertThat(q.usedStripes()).isZero();
        q.offer(5, 1, 0);
        q.offer(13, 2, 0); // stripe 5 again
        q.offer(2, 3, 0);
        assertThat(q.usedStripes()).isEqualTo((1L << 5) | (1L << 2));
        assertThat(q.drain()).isEqualTo(3);
        assertThat(q.usedStripes()).as("used once, looked at from then on").isEqualTo((1L << 5) | (1L << 2));
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void refusesNullAndBadStripeCounts() {
        assertThatThrownBy(() -> new StripedMpscQueue<>(4).offer(0, null, 0)).isInstanceOf(NullPointerException.class);
        for (int bad : new int[] {0, -4, 3, 6, 128}) {
            assertThatThrownBy(() -> new StripedMpscQueue<>(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("was " + bad);
        }
        assertThat(new StripedMpscQueue<>(1).stripes()).isEqualTo(1);
        assertThat(new StripedMpscQueue<>(64).stripes()).isEqualTo(64);
    }

    @Test
    void producersOnSharedAndOwnStripesLoseNothingDuplicateNothingAndKeepTheirOrder() throws Exception {
        int producers = 4;
        int perProducer = 100_000;
        StripedMpscQueue<long[]> q = new StripedMpscQueue<>(2); // 4 producers on 2 stripes: stripes are shared
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            long producer = p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    Await.latch("the test says go", go);
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                for (int i = 0; i < perProducer; i++) {
                    q.offer((int) producer, new long[] {producer, i}, i + 1);
                }
            }));
        }
        go.countDown();
        long[] next = new long[producers];
        for (int received = 0; received < producers * perProducer; ) {
            long[] e = q.poll();
            if (e == null) {
                Thread.onSpinWait();
                continue;
            }
            assertThat(e[1]).as("producer %d's next element", e[0]).isEqualTo(next[(int) e[0]]);
            assertThat(q.polledStamp()).isEqualTo(e[1] + 1);
            next[(int) e[0]]++;
            received++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(next).containsOnly(perProducer);
    }
}
