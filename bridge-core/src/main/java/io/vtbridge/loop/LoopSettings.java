package io.vtbridge.loop;

/**
 * The settings of one loop, checked where the user gave them (the bridge's builder).
 *
 * @param batch          new starts per turn from the inbound queue and the latency lane, at least 1;
 *                       the loop's own sources take {@value ShardLoop#OWNED_SHARE} times as many
 * @param idleSpins      empty turns spun before parking, at least 0
 * @param coopBudget     fast paths a virtual thread may take in one run before it yields, at least 1
 * @param sliceNanos     the time slice of a turn, at least 1 ns
 * @param laneRescueNanos how long a latency-lane start from another thread may wait for the loop
 *                       before the bridge's lane thread runs it off the loop, at least 1 ns
 * @param measureDelays  whether to measure every continuation's scheduling delay
 * @param moveHogs       whether a thread that held the loop past the slice and then yielded runs on
 *                       the CPU pool until it blocks again
 */
public record LoopSettings(int batch, int idleSpins, int coopBudget, long sliceNanos, long laneRescueNanos,
                           boolean measureDelays, boolean moveHogs) {

    /** The default turn slice: 500 µs. */
    public static final long DEFAULT_SLICE_NANOS = 500_000;

    /** The default wait of a latency-lane start before its rescue: 150 µs. */
    public static final long DEFAULT_LANE_RESCUE_NANOS = 150_000;

    /** Checks the loop's invariants (the builder has checked the values themselves). */
    public LoopSettings {
        assert batch > 0 : "batch " + batch;
        assert idleSpins >= 0 : "idleSpins " + idleSpins;
        assert coopBudget > 0 : "coopBudget " + coopBudget;
        assert sliceNanos > 0 : "sliceNanos " + sliceNanos;
        assert laneRescueNanos > 0 : "laneRescueNanos " + laneRescueNanos;
    }

    /** The defaults, with {@code batch} starts per turn and {@code idleSpins} idle spins. */
    public static LoopSettings of(int batch, int idleSpins) {
        return new LoopSettings(batch, idleSpins, ShardLoop.DEFAULT_COOP_BUDGET, DEFAULT_SLICE_NANOS, DEFAULT_LANE_RESCUE_NANOS, false,
                false);
    }
}
