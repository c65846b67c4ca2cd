package io.vtbridge.loop;

import io.vtbridge.testing.Await;
import io.vtbridge.timer.Timer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The timer lead in a running loop: a chain of timers, each armed by the one before it, so that the
 * idle loop parks until every one of them. With spinning on, the loop learns a lead and no timer
 * fires before its deadline; with {@code idleSpins} 0 it keeps none.
 */
class TimerLeadLoopTest {

    private static final int TIMERS = 200;
    private static final long GAP = TimeUnit.MICROSECONDS.toNanos(300);

    /** Runs the chain on a loop with {@code idleSpins}; returns the loop's lead once it terminated. */
    private static long chainOfTimers(int idleSpins, AtomicLong earliest) throws InterruptedException {
        ShardLoop loop = new ShardLoop(0, null, "timer-lead-test-" + idleSpins, true, 128, idleSpins);
        CountDownLatch done = new CountDownLatch(1);
        loop.start();
        try {
            loop.execute(() -> arm(loop, TIMERS, earliest, done)); // runs on the loop thread
            Await.latch("the chain of timers fired", done);
        } finally {
            loop.stop();
        }
        assertThat(loop.awaitTermination(10, TimeUnit.SECONDS)).isTrue(); // orders the loop's writes before the read below
        assertThat(loop.counters().get(LoopCounter.PARKS)).as("the loop parked between the timers").isGreaterThan(0);
        return loop.timerLeadNanos();
    }

    /** On the loop thread: arms a timer {@link #GAP} from now that notes how early it fired and arms the next. */
    private static void arm(ShardLoop loop, int left, AtomicLong earliest, CountDownLatch done) {
        long deadline = System.nanoTime() + GAP;
        loop.timers().add(new Timer(deadline) {
            @Override
            protected void expire() {
                earliest.accumulateAndGet(System.nanoTime() - deadline, Math::min);
                if (left > 1) {
                    arm(loop, left - 1, earliest, done);
                } else {
                    done.countDown();
                }
            }
        });
    }

    @Test
    void aLoopThatParksUntilItsTimersLearnsALeadAndNoTimerFiresEarly() throws Exception {
        AtomicLong earliest = new AtomicLong(Long.MAX_VALUE);
        long lead = chainOfTimers(64, earliest);
        assertThat(lead).as("the lead the loop learned, ns").isGreaterThan(0)
                .isLessThanOrEqualTo(TimeUnit.MICROSECONDS.toNanos(TimerLead.MAX_LEAD_MICROS));
        assertThat(earliest.get()).as("the earliest any timer fired, ns after its deadline").isGreaterThanOrEqualTo(0);
    }

    @Test
    void withIdleSpinsZeroTheLoopKeepsNoLead() throws Exception {
        AtomicLong earliest = new AtomicLong(Long.MAX_VALUE);
        assertThat(chainOfTimers(0, earliest)).isZero();
        assertThat(earliest.get()).isGreaterThanOrEqualTo(0);
    }
}
