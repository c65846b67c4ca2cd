package io.vtbridge.samples.walredo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What a run of the walredo sample measured and checked: the rows of its table, and the checks that
 * make the numbers trustworthy (every answer matched the page its caller expected; every page read
 * back at the end matched the callers' record of it; no child restarted).
 *
 * <p>The goal: async at least {@value #GOAL_AT_16}× sync's throughput at every level of 16 callers
 * or more, and at least {@value #GOAL_AT_1}× at one caller. The knee of a mode is the smallest
 * level whose throughput is within {@value #KNEE_SHARE} of the mode's best: where adding callers
 * stops paying.
 *
 * <p><b>Threading:</b> immutable.
 *
 * @param options                  what was run
 * @param rows                     one per mode and level, in sweep order (sync, then async, per level)
 * @param syncReadBackMismatches   pages of the sync child that differed from the book at the end
 * @param asyncReadBackMismatches  pages of the async child that differed from the book at the end
 * @param warmupProblems           mismatches and failed callers during the warm-up
 * @param restarts                 children the channel started after its first
 * @param discardedResponses       answers the channel dropped because their callers had given up
 * @param childPids                the children's process ids, sync then async (gone after the run)
 * @param firstFailure             the first failed call's exception text, or null
 */
public record WalRedoResult(WalRedoOptions options, List<WalRedoRow> rows, long syncReadBackMismatches,
                            long asyncReadBackMismatches, long warmupProblems, int restarts, long discardedResponses,
                            List<Long> childPids, String firstFailure) {

    /** The async/sync throughput ratio the goal asks for at 16 callers and more. */
    public static final double GOAL_AT_16 = 1.5;

    /** The async/sync throughput ratio the goal asks for at one caller. */
    public static final double GOAL_AT_1 = 0.9;

    /** A level is the knee when its throughput reaches this share of the mode's best. */
    public static final double KNEE_SHARE = 0.9;

    /** Copies the lists. */
    public WalRedoResult {
        rows = List.copyOf(rows);
        childPids = List.copyOf(childPids);
    }

    /** The row of {@code mode} at {@code callers}. */
    public Optional<WalRedoRow> row(String mode, int callers) {
        return rows.stream().filter(r -> r.mode().equals(mode) && r.callers() == callers).findFirst();
    }

    /** Async throughput over sync throughput at {@code callers}. */
    public OptionalDouble ratio(int callers) {
        Optional<WalRedoRow> sync = row(RedoRounds.SYNC, callers);
        Optional<WalRedoRow> async = row(RedoRounds.ASYNC, callers);
        if (sync.isEmpty() || async.isEmpty() || !(sync.get().callsPerSecond() > 0)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(async.get().callsPerSecond() / sync.get().callsPerSecond());
    }

    /** The smallest level whose throughput is within {@link #KNEE_SHARE} of {@code mode}'s best. */
    public OptionalInt knee(String mode) {
        List<WalRedoRow> ofMode = rows.stream().filter(r -> r.mode().equals(mode)).toList();
        double best = ofMode.stream().mapToDouble(WalRedoRow::callsPerSecond).max().orElse(0);
        return ofMode.stream().filter(r -> r.callsPerSecond() >= KNEE_SHARE * best).mapToInt(WalRedoRow::callers).min();
    }

    /** Whether every check passed: no mismatch, no failed call, every page read back as expected, no restart. */
    public boolean verified() {
        return rows.stream().allMatch(r -> r.mismatches() == 0 && r.failures() == 0)
                && syncReadBackMismatches == 0 && asyncReadBackMismatches == 0 && warmupProblems == 0 && restarts == 0
                && firstFailure == null;
    }

    /** The goal's lines: one per level it concerns, with the ratio and whether it was met. */
    public List<String> goalLines() {
        List<String> lines = new ArrayList<>();
        for (int n : options.callers()) {
            double wanted = n == 1 ? GOAL_AT_1 : n >= 16 ? GOAL_AT_16 : Double.NaN;
            OptionalDouble ratio = ratio(n);
            if (Double.isNaN(wanted) || ratio.isEmpty()) {
                continue;
            }
            lines.add(String.format(Locale.ROOT, "%3d caller%s: async/sync %.2fx, goal >= %.1fx: %s", n,
                    n == 1 ? " " : "s", ratio.getAsDouble(), wanted, ratio.getAsDouble() >= wanted ? "met" : "MISSED"));
        }
        return lines;
    }

    /** Whether every level the goal concerns was measured and met; false if none was measured. */
    public boolean goalMet() {
        List<String> lines = goalLines();
        return !lines.isEmpty() && lines.stream().allMatch(l -> l.endsWith(": met"));
    }
}
