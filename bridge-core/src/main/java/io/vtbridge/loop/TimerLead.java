package io.vtbridge.loop;

import java.util.concurrent.TimeUnit;

/**
 * How much earlier than its next timer an idle loop asks to wake. The kernel ends a timed park late:
 * Linux lets a timer of a normal thread fire up to its timer slack (50 µs by default) after the time
 * asked for, so that it can fire several at once, and the thread then still has to be scheduled. A
 * loop that parked for exactly the delay to its next timer would fire every timer that late, and
 * with it every bridged {@code Thread.sleep} and lock timeout.
 *
 * <p>So the loop measures how late its timed parks end, keeps a running mean of it (each park moves
 * it an eighth of the way), parks that much less than the delay, and spins the rest in its turns. A
 * park that ended before the time asked (an unpark: work came) says nothing about the timer and is
 * not counted. (A lower quartile instead of the mean, measured side by side, cost about the same
 * CPU and left the sleeps 5 to 18 µs late at the median instead of 1: the kernel ends most parks at
 * the end of the slack and some much earlier, and the quartile follows the early ones.)
 *
 * <p>The lead is at most {@value #MAX_LEAD_MICROS} µs, so a loop spins at most that long before a
 * timer however late its parks ended (on a machine whose scheduler holds woken threads back for
 * milliseconds, parking less would only spin longer). With {@code idleSpins} 0 there is no lead: the
 * loop parks for the whole delay and never spins.
 *
 * <p><b>Threading:</b> loop-owned: only the loop's owner calls it.
 */
final class TimerLead {

    /** The most a loop parks short of its next timer, and so the longest it spins before one. */
    static final long MAX_LEAD_MICROS = 100;

    private static final long MAX_LEAD_NANOS = TimeUnit.MICROSECONDS.toNanos(MAX_LEAD_MICROS);

    private final boolean enabled;
    private long lead; // ns: the running mean of how late timed parks ended, at most MAX_LEAD_NANOS

    /** @param enabled false: no lead ever (the loop's {@code idleSpins} is 0) */
    TimerLead(boolean enabled) {
        this.enabled = enabled;
    }

    /** How much earlier than its next timer the loop asks to wake, in nanoseconds; 0 until measured. */
    long nanos() {
        return lead;
    }

    /**
     * A timed park that asked to end at clock {@code asked} returned at clock {@code returned}: if it
     * ran to its end (returned at or after {@code asked}), its lateness moves the lead an eighth of
     * the way towards it.
     */
    void parkReturned(long asked, long returned) {
        long late = returned - asked;
        if (!enabled || late < 0) {
            return;
        }
        lead += (Math.min(late, MAX_LEAD_NANOS) - lead) >> 3;
    }
}
