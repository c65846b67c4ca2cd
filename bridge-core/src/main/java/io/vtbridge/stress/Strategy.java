package io.vtbridge.stress;

import java.util.Objects;

/**
 * How a stress run chooses the next thread at each scheduling point.
 *
 * <ul>
 *   <li>{@link #random()}: uniformly among the runnable threads. Good at shallow bugs that need one
 *       thread to run at the wrong moment.</li>
 *   <li>{@link #pct(int)}: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and
 *       Nagarakatte, ASPLOS 2010). Each thread gets a random priority; the highest-priority runnable
 *       thread runs; at {@code depth - 1} random steps the running thread drops below every other.
 *       With the change points drawn over the schedule's real length k, a bug that needs {@code d}
 *       ordering constraints is found with probability at least {@code 1 / (n · k^(d-1))} per
 *       schedule (n threads). {@link StressTester} draws them over the longest schedule seen so far
 *       in the run, so its first schedules, and a longer one than all before, have no such bound.</li>
 * </ul>
 *
 * <p><b>Threading:</b> immutable.
 */
public final class Strategy {

    /** The kinds of strategy. */
    public enum Kind {
        /** Uniformly random among the runnable threads. */
        RANDOM,
        /** Probabilistic concurrency testing: random priorities and {@code depth - 1} change points. */
        PCT
    }

    /** The largest PCT depth accepted. */
    public static final int MAX_DEPTH = 16;

    private static final Strategy RANDOM = new Strategy(Kind.RANDOM, 0);

    private final Kind kind;
    private final int depth;

    private Strategy(Kind kind, int depth) {
        this.kind = kind;
        this.depth = depth;
    }

    /** Uniformly random among the runnable threads. */
    public static Strategy random() {
        return RANDOM;
    }

    /**
     * Probabilistic concurrency testing with bug depth {@code depth} (1 to {@value #MAX_DEPTH}): one
     * ordering constraint per unit of depth; 2 or 3 finds most real bugs.
     *
     * @throws IllegalArgumentException if {@code depth} is out of range, naming it
     */
    public static Strategy pct(int depth) {
        if (depth < 1 || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("PCT depth must be 1 to " + MAX_DEPTH + ": " + depth);
        }
        return new Strategy(Kind.PCT, depth);
    }

    /** Which kind. */
    public Kind kind() {
        return kind;
    }

    /** The PCT depth; 0 for {@link Kind#RANDOM}. */
    public int depth() {
        return depth;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Strategy s && s.kind == kind && s.depth == depth;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, depth);
    }

    @Override
    public String toString() {
        return kind == Kind.RANDOM ? "random" : "pct(depth=" + depth + ")";
    }
}
