package io.vtbridge.loop;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idle loop's spin policy, on a clock the test sets: {@code idleSpins} empty turns, then, only
 * after a short sleep, up to {@link IdleSpin#ADAPTIVE_SPIN_MICROS} µs more; zero turns off both.
 */
class IdleSpinTest {

    private static final long WINDOW = TimeUnit.MICROSECONDS.toNanos(IdleSpin.ADAPTIVE_SPIN_MICROS);

    /** Empty turns at clock {@code now} until the policy says park; returns how many it spun. */
    private static int spinsUntilPark(IdleSpin spin, long now) {
        int n = 0;
        while (spin.spinAgain(now)) {
            n++;
            if (n > 1_000) {
                break; // a policy that never parks at a fixed clock fails below
            }
        }
        return n;
    }

    @Test
    void afterALongSleepItParksOnceTheCountIsSpent() {
        IdleSpin spin = new IdleSpin(64);
        assertThat(spinsUntilPark(spin, 1_000)).isEqualTo(64);
        spin.slept(2 * WINDOW); // not short
        assertThat(spinsUntilPark(spin, 2_000)).isEqualTo(64);
    }

    @Test
    void afterEnoughLongSleepsInARowItParksWithoutSpinningUntilASleepIsShort() {
        IdleSpin spin = new IdleSpin(64);
        for (int i = 1; i < IdleSpin.WASTED_SPINS_TO_SKIP; i++) {
            spin.slept(2 * WINDOW); // long: the spin before it did not pay
            assertThat(spinsUntilPark(spin, 0)).as("after %d long sleeps", i).isEqualTo(64);
        }
        spin.slept(2 * WINDOW);
        assertThat(spin.countSpent()).as("the count is skipped").isTrue();
        assertThat(spinsUntilPark(spin, 0)).as("after %d long sleeps in a row", IdleSpin.WASTED_SPINS_TO_SKIP).isZero();
        spin.slept(10 * WINDOW);
        assertThat(spinsUntilPark(spin, 0)).as("still skipped").isZero();
        spin.slept(2 * WINDOW - 1); // short: work came back soon
        assertThat(spin.countSpent()).isFalse();
        assertThat(spinsUntilPark(spin, 0)).as("the count, then the adaptive window at a fixed clock")
                .isGreaterThanOrEqualTo(64);
    }

    @Test
    void aSpinThatFindsWorkStartsTheLongSleepsCountAgain() {
        IdleSpin spin = new IdleSpin(64);
        for (int i = 1; i < IdleSpin.WASTED_SPINS_TO_SKIP; i++) {
            spin.slept(2 * WINDOW);
        }
        assertThat(spin.spinAgain(0)).isTrue();
        spin.workFound(); // the spin paid
        spin.slept(2 * WINDOW);
        assertThat(spinsUntilPark(spin, 0)).as("one long sleep since the spin that paid").isEqualTo(64);
        spin.workFound(); // a turn with work, not after a spin: nothing paid
        for (int i = 1; i < IdleSpin.WASTED_SPINS_TO_SKIP; i++) {
            spin.slept(2 * WINDOW);
        }
        assertThat(spinsUntilPark(spin, 0)).as("the sleeps since count on").isZero();
    }

    @Test
    void whileSkippingEveryEighthDrySpellProbesWithTheCountAndAProbeThatPaysEndsTheSkipping() {
        IdleSpin spin = new IdleSpin(64);
        for (int i = 0; i < IdleSpin.WASTED_SPINS_TO_SKIP; i++) {
            spin.slept(2 * WINDOW);
        }
        for (int spell = 1; spell < IdleSpin.PROBE_EVERY; spell++) {
            assertThat(spinsUntilPark(spin, 0)).as("dry spell %d: skipped", spell).isZero();
        }
        assertThat(spin.spinAgain(0)).as("the probe spins the count").isTrue();
        spin.workFound(); // the probe paid
        spin.slept(2 * WINDOW);
        assertThat(spinsUntilPark(spin, 0)).as("skipping ended").isEqualTo(64);
    }

    @Test
    void waitingForATimerIsNotASpinThatPaid() {
        IdleSpin spin = new IdleSpin(64);
        for (int i = 1; i < IdleSpin.WASTED_SPINS_TO_SKIP; i++) {
            spin.slept(2 * WINDOW);
        }
        spin.timerParkEnded(); // woke early from a park until a timer
        assertThat(spin.spinAgain(0)).as("the turns wait for the timer").isTrue();
        spin.workFound(); // the timer fired
        assertThat(spin.holdForTimer(500)).isTrue(); // a timer due within the lead
        assertThat(spin.spinAgain(0)).isTrue();
        spin.workFound(); // it fired
        spin.slept(2 * WINDOW); // the fourth long sleep in a row: neither timer counted as a spin that paid
        assertThat(spinsUntilPark(spin, 0)).isZero();
    }

    @Test
    void aTimerHoldSpinsUntilItsDeadlineThenTheLoopIsIdleAgain() {
        IdleSpin spin = new IdleSpin(2);
        assertThat(spin.holdForTimer(1_000)).isTrue();
        assertThat(spin.spinAgain(0)).isTrue();
        assertThat(spin.spinAgain(999)).as("before the deadline, however long the count").isTrue();
        assertThat(spin.spinAgain(999)).isTrue();
        assertThat(spin.spinAgain(999)).isTrue();
        assertThat(spinsUntilPark(spin, 1_000)).as("due and no work: the count, then a park").isEqualTo(2);
    }

    @Test
    void afterAShortSleepItSpinsOnByTimeThenParks() {
        IdleSpin spin = new IdleSpin(64);
        spin.slept(2 * WINDOW - 1); // short: under twice the window
        long start = 5_000;
        for (int i = 0; i < 64; i++) {
            assertThat(spin.spinAgain(start)).isTrue();
        }
        assertThat(spin.countSpent()).isTrue();
        assertThat(spin.spinAgain(start)).as("the adaptive spin begins").isTrue();
        assertThat(spin.spinAgain(start + WINDOW - 1)).as("within the window").isTrue();
        assertThat(spin.spinAgain(start + WINDOW)).as("the window is over: park").isFalse();
        assertThat(spin.countSpent()).as("the count starts again after a park").isFalse();
    }

    @Test
    void workResetsTheCountAndTheWindow() {
        IdleSpin spin = new IdleSpin(2);
        spin.slept(0);
        assertThat(spin.spinAgain(0)).isTrue();
        assertThat(spin.spinAgain(0)).isTrue();
        assertThat(spin.spinAgain(0)).as("window opens at 0").isTrue();
        spin.workFound();
        assertThat(spin.countSpent()).isFalse();
        assertThat(spinsUntilPark(spin, 10 * WINDOW)).as("two turns, then a fresh window from now").isGreaterThan(2);
    }

    @Test
    void zeroIdleSpinsParksAtOnceEvenAfterShortSleeps() {
        IdleSpin spin = new IdleSpin(0);
        spin.slept(0);
        assertThat(spin.spinAgain(0)).isFalse();
    }

    @Test
    void loopsSharingALimitSpinByTimeOneAtATimeOfTwo() {
        SpinLimit limit = new SpinLimit(2);
        assertThat(limit.max()).isEqualTo(1);
        IdleSpin a = new IdleSpin(1);
        IdleSpin b = new IdleSpin(1);
        a.limit(limit);
        b.limit(limit);
        a.slept(0);
        b.slept(0);
        assertThat(a.spinAgain(0)).as("a's count").isTrue();
        assertThat(a.spinAgain(0)).as("a's adaptive spin begins: it takes the place").isTrue();
        assertThat(b.spinAgain(0)).as("b's count").isTrue();
        assertThat(b.spinAgain(0)).as("b finds the place taken: it parks").isFalse();
        a.workFound(); // a leaves its spin: the place is free
        assertThat(b.spinAgain(0)).as("b's count again").isTrue();
        assertThat(b.spinAgain(0)).as("b's adaptive spin begins").isTrue();
        assertThat(a.spinAgain(0)).isTrue();
        assertThat(a.spinAgain(0)).as("now a parks").isFalse();
        assertThat(b.spinAgain(WINDOW)).as("b's window is over: it parks and leaves").isFalse();
        assertThat(limit.tryEnter()).as("the place is free again").isTrue();
        limit.exit();
        assertThat(a.spinAgain(0)).isTrue();
        assertThat(a.spinAgain(0)).as("a spins again").isTrue();
        a.loopExits(); // a's loop stops inside its spin
        assertThat(limit.tryEnter()).as("a stopped loop gives its place back").isTrue();
    }

    @Test
    void spinningToATimerTakesAPlaceInTheLimitUntilWorkOrAPark() {
        SpinLimit limit = new SpinLimit(2);
        IdleSpin a = new IdleSpin(1);
        IdleSpin b = new IdleSpin(1);
        a.limit(limit);
        b.limit(limit);
        assertThat(a.holdForTimer(0)).as("a takes the place").isTrue();
        assertThat(a.holdForTimer(0)).as("a holds it already").isTrue();
        assertThat(b.holdForTimer(0)).as("b finds it taken: it parks for the whole delay").isFalse();
        b.slept(0);
        assertThat(b.spinAgain(0)).as("b's count").isTrue();
        assertThat(b.spinAgain(0)).as("nor may b begin an adaptive spin").isFalse();
        a.workFound(); // a's timer fired
        assertThat(b.holdForTimer(0)).as("the place is free again").isTrue();
        b.parks(); // a later timer only: b parks after all
        assertThat(a.holdForTimer(0)).isTrue();
        a.loopExits();
        assertThat(limit.tryEnter()).as("a stopped loop gives its place back").isTrue();
        limit.exit();
    }

    @Test
    void holdingAPlaceForATimerDoesNotStartAnAdaptiveSpinThatNeverEnds() {
        SpinLimit limit = new SpinLimit(2);
        IdleSpin a = new IdleSpin(1);
        a.limit(limit);
        a.slept(0); // short sleeps: an adaptive spin would begin after the count
        assertThat(a.holdForTimer(-5_000)).isTrue(); // the timer is due now: the hold is over at once
        assertThat(a.spinAgain(-5_000)).as("the count").isTrue();
        // Holding the place for the timer, the loop has no adaptive window of its own, whatever the clock:
        assertThat(a.spinAgain(-5_000)).as("no window to spin in: park (the place is given back)").isFalse();
        assertThat(limit.tryEnter()).isTrue();
        limit.exit();
    }

    @Test
    void withoutALimitALoopMayAlwaysSpinToATimer() {
        IdleSpin a = new IdleSpin(1);
        assertThat(a.holdForTimer(0)).isTrue();
        a.parks();
        assertThat(a.holdForTimer(0)).isTrue();
    }

    @Test
    void aLimitLetsHalfOfTheLoopsSpinAndAtLeastOne() {
        assertThat(new SpinLimit(1).max()).isEqualTo(1);
        assertThat(new SpinLimit(3).max()).isEqualTo(1);
        assertThat(new SpinLimit(8).max()).isEqualTo(4);
        SpinLimit four = new SpinLimit(8);
        for (int i = 0; i < 4; i++) {
            assertThat(four.tryEnter()).isTrue();
        }
        assertThat(four.tryEnter()).isFalse();
        four.exit();
        assertThat(four.tryEnter()).isTrue();
    }
}
