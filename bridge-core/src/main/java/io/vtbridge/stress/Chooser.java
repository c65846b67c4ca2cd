package io.vtbridge.stress;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A strategy's state for one schedule: which runnable thread mounts next. Deterministic for a seed:
 * it sees the runnable threads in the order they became runnable, and draws from its own generator.
 *
 * <p><b>Threading:</b> the stress carrier's thread only.
 */
abstract class Chooser {

    final SplittableRandom random;

    Chooser(long seed) {
        this.random = new SplittableRandom(seed);
    }

    static Chooser of(ScheduleId id) {
        return id.strategy().kind() == Strategy.Kind.RANDOM
                ? new RandomChooser(id.seed())
                : new PctChooser(id.seed(), id.strategy().depth(), id.steps());
    }

    /** A thread seen for the first time. */
    abstract void added(StressCarrier.Entry entry);

    /** The index in {@code runnable} (not empty) of the thread to mount at {@code step}; {@code last} ran the step before. */
    abstract int choose(List<StressCarrier.Entry> runnable, int step, StressCarrier.Entry last);

    static final class RandomChooser extends Chooser {
        RandomChooser(long seed) {
            super(seed);
        }

        @Override
        void added(StressCarrier.Entry entry) {
        }

        @Override
        int choose(List<StressCarrier.Entry> runnable, int step, StressCarrier.Entry last) {
            return random.nextInt(runnable.size());
        }
    }

    /**
     * PCT: initial priorities above {@code depth}, distinct, random; {@code depth - 1} change points
     * drawn in [1, steps]; at change point i the thread that ran the step before gets priority
     * {@code depth - i}, below every initial one; the highest-priority runnable thread runs.
     */
    static final class PctChooser extends Chooser {
        private final int depth;
        private final int[] changePoints; // sorted step numbers
        private int nextChange;

        PctChooser(long seed, int depth, int steps) {
            super(seed);
            this.depth = depth;
            this.changePoints = new int[depth - 1];
            for (int i = 0; i < changePoints.length; i++) {
                changePoints[i] = 1 + random.nextInt(steps);
            }
            Arrays.sort(changePoints);
        }

        @Override
        void added(StressCarrier.Entry entry) {
            // Distinct in practice (ties are broken by arrival, which is deterministic too).
            entry.priority = depth + 1L + random.nextLong(1L << 40);
        }

        @Override
        int choose(List<StressCarrier.Entry> runnable, int step, StressCarrier.Entry last) {
            while (nextChange < changePoints.length && changePoints[nextChange] <= step) {
                if (changePoints[nextChange] == step && last != null) {
                    last.priority = depth - 1 - nextChange; // depth-1, depth-2, ...: each below all earlier ones
                }
                nextChange++;
            }
            int best = 0;
            for (int i = 1; i < runnable.size(); i++) {
                StressCarrier.Entry e = runnable.get(i);
                StressCarrier.Entry b = runnable.get(best);
                if (e.priority > b.priority || (e.priority == b.priority && e.seq < b.seq)) {
                    best = i;
                }
            }
            return best;
        }
    }
}
