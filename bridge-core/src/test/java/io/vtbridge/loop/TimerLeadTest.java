package io.vtbridge.loop;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idle loop's timer lead, on clock values the test sets: the running mean of how late timed
 * parks ended, early returns not counted, at most {@link TimerLead#MAX_LEAD_MICROS} µs, none when
 * spinning is off.
 */
class TimerLeadTest {

    private static final long MICRO = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long MAX = TimeUnit.MICROSECONDS.toNanos(TimerLead.MAX_LEAD_MICROS);

    /** {@code n} parks that asked to end at 1,000 µs and each returned {@code late} ns after that. */
    private static void parks(TimerLead lead, int n, long late) {
        for (int i = 0; i < n; i++) {
            long asked = 1_000 * MICRO;
            lead.parkReturned(asked, asked + late);
        }
    }

    @Test
    void noLeadUntilAParkHasRunToItsEnd() {
        TimerLead lead = new TimerLead(true);
        assertThat(lead.nanos()).isZero();
    }

    @Test
    void eachParkMovesTheLeadAnEighthOfTheWayTowardsItsLateness() {
        TimerLead lead = new TimerLead(true);
        lead.parkReturned(0, 80 * MICRO);
        assertThat(lead.nanos()).isEqualTo(10 * MICRO);
        lead.parkReturned(0, 80 * MICRO);
        assertThat(lead.nanos()).isEqualTo(10 * MICRO + 70 * MICRO / 8);
    }

    @Test
    void theLeadSettlesAtASteadyLatenessAndFollowsItDown() {
        TimerLead lead = new TimerLead(true);
        parks(lead, 200, 70 * MICRO);
        assertThat(lead.nanos()).isBetween(69 * MICRO, 70 * MICRO);
        parks(lead, 200, 20 * MICRO); // the machine got quieter
        assertThat(lead.nanos()).isBetween(20 * MICRO, 21 * MICRO);
    }

    @Test
    void theLeadIsTheMeanOfMixedLatenesses() {
        // Latenesses 10, 10, 90, 10 µs in turn: the mean is 30 µs (the median, 10; the lower quartile, 10).
        TimerLead lead = new TimerLead(true);
        long[] lates = {10 * MICRO, 10 * MICRO, 90 * MICRO, 10 * MICRO};
        long sum = 0;
        int counted = 0;
        for (int i = 0; i < 4_000; i++) {
            lead.parkReturned(0, lates[i % 4]);
            if (i >= 2_000) {
                sum += lead.nanos();
                counted++;
            }
        }
        assertThat(sum / counted).isBetween(28 * MICRO, 32 * MICRO);
    }

    @Test
    void aParkEndedEarlyByAnUnparkIsNotCounted() {
        TimerLead lead = new TimerLead(true);
        parks(lead, 200, 60 * MICRO);
        long settled = lead.nanos();
        lead.parkReturned(1_000 * MICRO, 400 * MICRO); // woken 600 µs before its end: work came
        assertThat(lead.nanos()).isEqualTo(settled);
    }

    @Test
    void aParkEndingExactlyOnTimeCountsAsNoLateness() {
        TimerLead lead = new TimerLead(true);
        parks(lead, 200, 60 * MICRO);
        long settled = lead.nanos();
        lead.parkReturned(5_000, 5_000);
        assertThat(lead.nanos()).isLessThan(settled);
    }

    @Test
    void theLeadStaysBetweenZeroAndTheMaximum() {
        TimerLead lead = new TimerLead(true);
        parks(lead, 500, TimeUnit.MILLISECONDS.toNanos(20)); // a machine that holds woken threads back
        assertThat(lead.nanos()).isLessThanOrEqualTo(MAX).isGreaterThan(MAX - MICRO);
        parks(lead, 500, 0); // every park on time
        assertThat(lead.nanos()).isLessThan(MICRO);
        lead.parkReturned(Long.MAX_VALUE - 10, Long.MIN_VALUE + 10); // the clock wrapped between the two: 21 ns late
        assertThat(lead.nanos()).isBetween(0L, MICRO);
    }

    @Test
    void withSpinningOffThereIsNeverALead() {
        TimerLead lead = new TimerLead(false);
        parks(lead, 100, 70 * MICRO);
        assertThat(lead.nanos()).isZero();
    }
}
