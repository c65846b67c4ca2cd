package io.vtbridge.timer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimerQueueTest {

    static final class Recording extends Timer {
        final List<Long> log;

        Recording(long deadline, List<Long> log) {
            super(deadline);
            this.log = log;
        }

        @Override
        protected void expire() {
            log.add(deadline());
        }
    }

    @Test
    void firesDueTimersInDeadlineOrderAndLeavesTheRest() {
        List<Long> fired = new ArrayList<>();
        TimerQueue q = new TimerQueue();
        for (long d : new long[] {50, 10, 40, 20, 30}) {
            q.add(new Recording(d, fired));
        }
        assertThat(q.nextDeadline()).isEqualTo(10);
        assertThat(q.fireDue(30, 100)).isEqualTo(3);
        assertThat(fired).containsExactly(10L, 20L, 30L);
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.nextDeadline()).isEqualTo(40);
    }

    @Test
    void respectsTheBatchLimit() {
        List<Long> fired = new ArrayList<>();
        TimerQueue q = new TimerQueue();
        for (int i = 0; i < 10; i++) {
            q.add(new Recording(i, fired));
        }
        assertThat(q.fireDue(100, 4)).isEqualTo(4);
        assertThat(q.size()).isEqualTo(6);
    }

    @Test
    void removeTakesATimerOutOfAnyPosition() {
        List<Long> fired = new ArrayList<>();
        TimerQueue q = new TimerQueue();
        List<Recording> timers = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < 1000; i++) {
            Recording t = new Recording(random.nextInt(10_000), fired);
            timers.add(t);
            q.add(t);
        }
        for (int i = 0; i < 1000; i += 2) {
            assertThat(q.remove(timers.get(i))).isTrue();
            assertThat(timers.get(i).isQueued()).isFalse();
            assertThat(q.remove(timers.get(i))).as("second remove").isFalse();
        }
        q.fireDue(Long.MAX_VALUE / 4, Integer.MAX_VALUE);
        List<Long> expected = new ArrayList<>();
        for (int i = 1; i < 1000; i += 2) {
            expected.add(timers.get(i).deadline());
        }
        expected.sort(null);
        assertThat(fired).containsExactlyElementsOf(expected);
        assertThat(q.nextDeadline()).isEqualTo(TimerQueue.NONE);
    }

    @Test
    void ordersByDifferenceSoClockWrapAroundIsHarmless() {
        List<Long> fired = new ArrayList<>();
        TimerQueue q = new TimerQueue();
        long now = Long.MAX_VALUE - 5;
        q.add(new Recording(now + 10, fired)); // wraps to a negative number
        q.add(new Recording(now + 1, fired));
        assertThat(q.fireDue(now + 2, 10)).isEqualTo(1);
        assertThat(q.fireDue(now + 10, 10)).isEqualTo(1);
        assertThat(fired).containsExactly(now + 1, now + 10);
    }

    @Test
    void refusesADoubleAdd() {
        TimerQueue q = new TimerQueue();
        Recording t = new Recording(1, new ArrayList<>());
        q.add(t);
        assertThatThrownBy(() -> q.add(t)).isInstanceOf(IllegalStateException.class);
    }
}
