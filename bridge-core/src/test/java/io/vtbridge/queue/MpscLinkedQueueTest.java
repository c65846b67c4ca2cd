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
class MpscLinkedQueueTest {

    @Test
    void fifoForOneProducer() {
        MpscLinkedQueue<Integer> q = new MpscLinkedQueue<>();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.poll()).isNull();
        for (int i = 0; i < 1000; i++) {
            q.offer(i);
        }
        assertThat(q.isEmpty()).isFalse();
        for (int i = 0; i < 1000; i++) {
            assertThat(q.poll()).isEqualTo(i);
        }
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> new MpscLinkedQueue<>().offer(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void manyProducersLoseNothingDuplicateNothingAndKeepPerProducerOrder() throws Exception {
        int producers = 4;
        int perProducer = 200_000;
        MpscLinkedQueue<long[]> q = new MpscLinkedQueue<>();
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
                    q.offer(new long[] {producer, i});
                }
            }));
        }
        go.countDown();
        long[] next = new long[producers];
        for (int received = 0; received < producers * perProducer; received++) {
            long[] e = poll(q, received);
            int producer = (int) e[0];
            assertThat(e[1]).as("producer %d order", producer).isEqualTo(next[producer]);
            next[producer]++;
        }
        for (Thread t : threads) {
            Await.join("producer " + t.getName() + " ends", t);
        }
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(next).containsOnly(perProducer);
    }

    /** The next element, polled hot as the queue's one consumer does; fails if none comes within the bound. */
    private static long[] poll(MpscLinkedQueue<long[]> q, int received) {
        long[][] next = {q.poll()};
        if (next[0] == null) {
            Await.spin("element " + (received + 1) + " arrives", () -> (next[0] = q.poll()) != null);
        }
        return next[0];
    }
}
