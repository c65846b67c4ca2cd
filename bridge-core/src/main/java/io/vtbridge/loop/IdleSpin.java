package io.vtbridge.loop;

import java.util.concurrent.TimeUnit;

/**
 * When a loop whose turn found no work parks: after {@code idleSpins} empty turns, or, if its last
 * sleep was shorter than twice {@value #ADAPTIVE_SPIN_MICROS} µs, after up to
 * {@value #ADAPTIVE_SPIN_MICROS} µs more of them (work comes back soon after this loop runs dry: a
 * caller that submits, waits for the result and submits again then finds it awake, and its
 * submission costs no wake-up). With {@code idleSpins} 0 the loop parks as soon as it runs dry.
 * The loops of one bridge share a {@link SpinLimit}: at most half of them are in that timed spin, or
 * spinning until a timer due within their {@link TimerLead} ({@link #holdForTimer}), at once, so that
 * spinning loops leave a core to whoever makes their work.
 *
 * <p><b>Spins that never pay are skipped.</b> After {@value #WASTED_SPINS_TO_SKIP} parks in a row
 * whose sleep was not short (work did not come back while the loop spun, nor soon after), the loop
 * parks as soon as it runs dry, without the {@code idleSpins} turns: a loop whose work comes every
 * millisecond or so (a server at a moderate rate, a handler that sleeps) would otherwise burn those
 * turns twice per request for nothing, and a spin that ends in a park does not make the park's
 * wake-up any sooner. A short sleep, or work found while spinning, ends the skipping: work is
 * coming back soon again. Every {@value #PROBE_EVERY}th time it runs dry while skipping, the loop
 * spins the turns anyway (a probe), so that a loop whose sleeps cannot look short (a count raised
 * far above the default, a machine whose wake-ups alone take 100 µs) still finds out when spinning
 * would pay.
 *
 * <p><b>Spinning to a timer is not an idle spin.</b> A loop whose next timer is due within its
 * {@link TimerLead} ({@link #holdForTimer}), or that has just woken early from a park until a timer
 * ({@link #timerParkEnded}), spins until the timer fires; that the timer then fires says nothing of
 * whether other work comes back soon, so it does not end the skipping, and the loop does not
 * announce a park on each of those turns.
 *
 * <p><b>Threading:</b> loop-owned: only the loop's owner calls it.
 */
final class IdleSpin {

    /** How long an idle loop whose last sleep was shorter than twice this goes on spinning after its {@code idleSpins} turns. */
    static final long ADAPTIVE_SPIN_MICROS = 50;

    /** Parks in a row after a sleep that was not short, after which a loop that runs dry parks without spinning. */
    static final int WASTED_SPINS_TO_SKIP = 4;

    /** While skipping, one time in this many that the loop runs dry it spins the turns anyway. */
    static final int PROBE_EVERY = 8;

    private final int idleSpins;
    private final long adaptiveNanos;  // 0: never spin by time
    private int spins;                 // empty turns since the last turn that found work or the last park
    private boolean shortSleeps;       // the last park ended within twice adaptiveNanos
    private int longSleeps;            // parks in a row whose sleep was not short; WASTED_SPINS_TO_SKIP or more: the count is skipped
    private boolean dryDecided;        // this dry spell (from the first empty turn to work or a park) has decided skipThis
    private boolean skipThis;          // this dry spell skips the count
    private int skippedSpells;         // dry spells while skipping; every PROBE_EVERY-th one probes
    private boolean timerHold;         // spinning until a timer due at holdUntil (holdForTimer)
    private long holdUntil;
    private boolean afterTimerPark;    // the last park was until a timer and ended early: the spin that follows waits for it
    private long spinUntil;            // when the current adaptive spin ends, or 0 outside one
    private SpinLimit limit;           // shared by the bridge's loops; null: no limit. Set before the loop starts
    private boolean entered;           // this loop holds a place in the limit (inside an adaptive spin, or spinning to a timer)

    IdleSpin(int idleSpins) {
        this.idleSpins = idleSpins;
        this.adaptiveNanos = idleSpins > 0 ? TimeUnit.MICROSECONDS.toNanos(ADAPTIVE_SPIN_MICROS) : 0;
    }

    /** The limit shared with the bridge's other loops. Before the loop starts. */
    void limit(SpinLimit shared) {
        this.limit = shared;
    }

    /**
     * A turn found work: the next empty turn starts a new count; if the loop was in an idle spin (not
     * one that waited for a timer), the spin paid.
     */
    void workFound() {
        if ((spins > 0 || spinUntil != 0) && !timerHold && !afterTimerPark) {
            longSleeps = 0;
        }
        endSpell();
        endTimerWait();
    }

    /**
     * Whether the {@code idleSpins} empty turns are spent, or skipped in this dry spell (the loop
     * parks next unless its sleeps were short).
     */
    boolean countSpent() {
        decide();
        return spins >= idleSpins || skipThis;
    }

    /** Once per dry spell: whether it skips the count (skipping, and not this spell's turn to probe). */
    private void decide() {
        if (!dryDecided) {
            dryDecided = true;
            skipThis = skipping() && ++skippedSpells % PROBE_EVERY != 0;
        }
    }

    /** Whether the last parks' sleeps say that spinning does not pay ({@value #WASTED_SPINS_TO_SKIP} long ones in a row). */
    boolean skipping() {
        return longSleeps >= WASTED_SPINS_TO_SKIP;
    }

    /**
     * A turn that began at clock {@code now} found no work: true to spin once more, false to park
     * (the count then starts again).
     */
    boolean spinAgain(long now) {
        if (timerHold) {
            if (now - holdUntil < 0) {
                return true; // the timer fires in a turn soon
            }
            timerHold = false; // due, and no work came of it: an idle loop again
        }
        decide();
        if (spins < idleSpins && !skipThis) {
            spins++;
            return true;
        }
        if (shortSleeps) {
            if (spinUntil == 0 && !entered) {
                if (limit != null && !limit.tryEnter()) {
                    endSpell();
                    return false; // enough of the bridge's loops spin already: park
                }
                entered = limit != null;
                spinUntil = now + adaptiveNanos;
                return true;
            }
            if (spinUntil != 0 && spinUntil - now > 0) {
                return true;
            }
        }
        endSpell();
        return false;
    }

    /**
     * The loop's next timer is due at {@code deadline}, within its {@link TimerLead}: whether it may
     * spin until then. It takes a place in the limit for that, or already holds one, and keeps it
     * until a turn finds work (the timer fires) or it parks; until the deadline, {@link #spinAgain}
     * answers true. False if the limit's places are all taken, and the loop then parks for the whole
     * delay. A loop of a bridge without a limit always may.
     */
    boolean holdForTimer(long deadline) {
        if (limit != null && !entered) {
            if (!limit.tryEnter()) {
                return false;
            }
            entered = true;
        }
        timerHold = true;
        holdUntil = deadline;
        return true;
    }

    /** A park until a timer ended (early, by the lead, or on time): the turns that follow wait for the timer. */
    void timerParkEnded() {
        afterTimerPark = true;
    }

    /** The loop is about to park: it gives back its place in the limit, if it holds one. */
    void parks() {
        endTimerWait();
        endSpell();
    }

    /** The loop exits (stopped, or its machinery failed): it gives back its place in the limit, if it holds one. */
    void loopExits() {
        endTimerWait();
        endSpell();
    }

    /** The dry spell is over (work, or a park): the next empty turn starts a new count and decides again. */
    private void endSpell() {
        spins = 0;
        spinUntil = 0;
        dryDecided = false;
        leave();
    }

    private void endTimerWait() {
        timerHold = false;
        afterTimerPark = false;
    }

    private void leave() {
        if (entered) {
            entered = false;
            limit.exit();
        }
    }

    /** The loop slept {@code nanos} (it includes the wake-up's own latency). */
    void slept(long nanos) {
        shortSleeps = nanos < 2 * adaptiveNanos;
        if (shortSleeps) {
            longSleeps = 0;
        } else if (longSleeps < WASTED_SPINS_TO_SKIP) {
            longSleeps++;
        }
    }
}
