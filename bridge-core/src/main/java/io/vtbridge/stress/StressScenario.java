package io.vtbridge.stress;

/**
 * A concurrency test body that a {@link StressTester} runs once per schedule. It runs in a virtual
 * thread of the run ({@code "main"}); it builds fresh state, starts the threads under test with
 * {@link StressContext#fork}, joins them and checks its invariant. A thrown exception or error fails
 * the schedule.
 *
 * <p>The body must not keep state across schedules (each schedule must start from the same state for
 * a seed to give the same schedule again).
 */
@FunctionalInterface
public interface StressScenario {

    /** One run of the scenario, under one schedule. */
    void run(StressContext context) throws Exception;
}
