package io.vtbridge.stress;

import java.time.Duration;
import java.util.Optional;

/**
 * What a {@link StressTester#run} found: how many schedules it ran, how long that took, and the first
 * schedule that did not pass (the run stops there).
 *
 * <p><b>Threading:</b> immutable.
 */
public final class StressResult {

    private final Strategy strategy;
    private final int schedules;
    private final Duration elapsed;
    private final Schedule failure;
    private final int nondeterministic;

    StressResult(Strategy strategy, int schedules, Duration elapsed, Schedule failure, int nondeterministic) {
        this.strategy = strategy;
        this.schedules = schedules;
        this.elapsed = elapsed;
        this.failure = failure;
        this.nondeterministic = nondeterministic;
    }

    /** The strategy the run used. */
    public Strategy strategy() {
        return strategy;
    }

    /** How many schedules ran, the failing one included. */
    public int schedules() {
        return schedules;
    }

    /** Wall time of the whole run. */
    public Duration elapsed() {
        return elapsed;
    }

    /** The first schedule that did not pass, if any. */
    public Optional<Schedule> failure() {
        return Optional.ofNullable(failure);
    }

    /** Whether every schedule passed. */
    public boolean passed() {
        return failure == null;
    }

    /** How many schedules were woken from outside the scheduler ({@link Schedule#deterministic()} false). */
    public int nondeterministicSchedules() {
        return nondeterministic;
    }

    /**
     * Throws an {@link AssertionError} carrying the failing schedule's {@linkplain Schedule#report()
     * report} (and its failure as the cause) if a schedule did not pass.
     */
    public void assertPassed() {
        if (failure != null) {
            AssertionError e = new AssertionError("stress run (" + strategy + ") failed at schedule " + schedules
                    + ":\n" + failure.report());
            failure.failure().ifPresent(e::initCause);
            throw e;
        }
    }

    @Override
    public String toString() {
        return "StressResult[" + strategy + ", " + schedules + " schedules, " + elapsed.toMillis() + " ms, "
                + (failure == null ? "passed" : failure.outcome() + " " + failure.id()) + "]";
    }
}
