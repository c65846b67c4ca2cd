package io.vtbridge.queue;

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
                    go.await();
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
        int received = 0;
        while (received < producers * perProducer) {
            long[] e = q.poll();
            if (e == null) {
                Thread.onSpinWait();
                continue;
            }
            int producer = (int) e[0];
            assertThat(e[1]).as("producer %d order", producer).isEqualTo(next[producer]);
            next[producer]++;
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
