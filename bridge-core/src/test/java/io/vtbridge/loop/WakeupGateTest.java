package io.vtbridge.loop;

import io.vtbridge.queue.MpscLinkedQueue;
import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class WakeupGateTest {

    @Test
    void wakeUnparksOnlyASleeper() {
        WakeupGate gate = new WakeupGate();
        assertThat(gate.wake()).as("awake: no unpark").isFalse();
        gate.prepareToSleep();
        assertThat(gate.isSleeping()).isTrue();
        assertThat(gate.wake()).isTrue();
        assertThat(gate.wake()).as("already woken").isFalse();
        assertThat(gate.unparks()).isEqualTo(1);
        gate.awake();
        assertThat(gate.wake()).isFalse();
        assertThat(gate.unparks()).isEqualTo(1);
        Thread.interrupted();
        LockSupport.parkNanos(1); // consume the permit the wake above left for this thread
    }

    @Test
    void aLoopThatParksOnTheGateNeverMissesAnOffer() throws Exception {
        // The production handshake, a million times: every element arrives, nobody hangs.
        int n = 1_000_000;
        MpscLinkedQueue<Integer> q = new MpscLinkedQueue<>();
        WakeupGate gate = new WakeupGate();
        long[] received = new long[1];
        long[] announcements = new long[1];
        Thread consumer = Thread.ofPlatform().start(() -> {
            long count = 0;
            while (count < n) {
                if (q.poll() != null) {
                    count++;
                    continue;
                }
                gate.prepareToSleep();
                announcements[0]++;
                if (!q.isEmpty()) {
                    gate.awake();
                    continue;
                }
                LockSupport.park();
                gate.awake();
            }
            received[0] = count;
        });
        Thread producer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                q.offer(i);
                gate.wake();
                if ((i & 1023) == 0) {
                    Thread.yield(); // let the consumer catch up and go to sleep now and then
                }
            }
        });
        Await.join("the producer offered all " + n, producer);
        Await.join("the consumer received all " + n + " (a lost wake-up leaves it parked)", consumer);
        assertThat(received[0]).isEqualTo(n);
        // Unparks go only to a consumer that announced sleep: at most one per announcement,
        // far fewer than the million offers.
        assertThat(gate.unparks()).isLessThanOrEqualTo(announcements[0]).isLessThan(n / 10);
    }
}
