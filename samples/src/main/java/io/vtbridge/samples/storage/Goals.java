package io.vtbridge.samples.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sample's table and its goal: with {@code HAND_OFF} or with the nio provider, no loop held past
 * the stall threshold, and throughput at least that of JDK virtual threads. Over several rounds a
 * mode's throughput is its mean and its stall its largest.
 *
 * <p><b>Threading:</b> stateless; one thread.
 */
final class Goals {

    /** The modes the goal is about. */
    static final List<StorageMode> GOAL_MODES = List.of(StorageMode.HAND_OFF, StorageMode.PROVIDER);

    private Goals() {
    }

    /**
     * One goal mode's verdict.
     *
     * @param mode          the mode's label
     * @param opsPerSec     its throughput, mean over rounds
     * @param virtualOps    JDK virtual threads' throughput, mean over rounds (NaN if they did not run)
     * @param stallMs       its longest loop stall over all rounds (iteration or report)
     * @param iterationMs   its longest loop iteration that ended on its own carrier (not handed off)
     * @param hogs          hog reports over all rounds
     * @param handOffs      hand-offs over all rounds
     * @param thresholdMs   the stall threshold
     * @param stallMet      no loop held longer than the threshold
     * @param throughputMet {@code opsPerSec >= virtualOps}
     */
    record Verdict(String mode, double opsPerSec, double virtualOps, double stallMs, double iterationMs, long hogs,
                   long handOffs, double thresholdMs, boolean stallMet, boolean throughputMet) {

        /** Both goals met. */
        boolean met() {
            return stallMet && throughputMet;
        }

        /** Why the stall goal was missed, as far as the figures tell. */
        String stallCause() {
            if (stallMet) {
                return "";
            }
            if (handOffs > 0 && handOffs == hogs && iterationMs <= thresholdMs) {
                return " (every hog was cut by a hand-off, " + handOffs + " in all; a hand-off comes when the watchdog"
                        + " sees a mount past the hand-off delay, half the threshold, up to a quarter of that later:"
                        + " the longest stall is a report's, late because the loop thread or the watchdog waited for a core)";
            }
            if (hogs > handOffs) {
                return " (" + (hogs - handOffs) + " hog(s) not handed off: a carrier-blocking call, a GC pause or the"
                        + " OS holding the loop thread)";
            }
            return " (a loop iteration that long that no report covers: over before the watchdog acted, which counts a"
                    + " mount from its first look, up to a quarter of its delay late; or a GC pause, or the OS holding the"
                    + " loop thread)";
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-9s longest loop stall %6.1f ms %s %.0f ms: %s%s;%n%14sthroughput %,.0f ops/s"
                            + " %s virtual threads' %,.0f: %s",
                    mode, stallMs, stallMet ? "<=" : "> ", thresholdMs, stallMet ? "met" : "MISSED", stallCause(), "",
                    opsPerSec, throughputMet ? ">=" : "< ", virtualOps, throughputMet ? "met" : "MISSED");
        }
    }

    /** The verdict of each goal mode that ran. */
    static List<Verdict> judge(List<Row> rows, StorageOptions o) {
        double thresholdMs = o.stallThreshold().toNanos() / 1e6;
        double virtual = meanOps(rows, StorageMode.VIRTUAL);
        List<Verdict> verdicts = new ArrayList<>();
        for (StorageMode mode : GOAL_MODES) {
            List<Row> of = rows.stream().filter(r -> r.storageMode() == mode).toList();
            if (of.isEmpty()) {
                continue;
            }
            double ops = meanOps(rows, mode);
            double stall = of.stream().mapToDouble(Row::stallMs).max().orElse(0);
            double iteration = of.stream().mapToDouble(Row::iterationMs).max().orElse(0);
            long hogs = of.stream().mapToLong(Row::hogs).sum();
            long handOffs = of.stream().mapToLong(Row::handOffs).sum();
            verdicts.add(new Verdict(mode.label(), ops, virtual, stall, iteration, hogs, handOffs, thresholdMs,
                    stall <= thresholdMs, !Double.isNaN(virtual) && ops >= virtual));
        }
        return verdicts;
    }

    /** One row, as printed while the run goes. */
    static String line(Row r) {
        String loops = r.stallMs() < 0 ? "no loop"
                : String.format(Locale.ROOT, "longest loop stall %.1f ms (%d hog, %d lag report(s), %d hand-off(s))",
                r.stallMs(), r.hogs(), r.lags(), r.handOffs());
        return String.format(Locale.ROOT, "%-9s %,9.0f ops/s, ping p99 %.1f ms, %s;%n            %,d ops = %,d gets"
                        + " + %,d puts + %,d checkpoints, %d failed; file: %,d reads (%,.0f MiB), %,d writes;"
                        + " reopened: %,d written keys intact",
                r.mode(), r.opsPerSec(), r.pingP99Ms(), loops, r.completed(), r.gets(), r.puts(), r.checkpoints(),
                r.failed(), r.fileReads(), r.fileReadMiB(), r.fileWrites(), r.writtenKeys());
    }

    /** The table and the goal. */
    static void print(List<Row> rows, List<Verdict> verdicts, StorageOptions o) {
        System.out.println();
        int processors = Runtime.getRuntime().availableProcessors();
        System.out.println("  round mode          ops/s   cpu  cpu us/op   ping p50    p99    max ms   fsync max ms"
                + "   loop stall ms  hogs  lags  hand-offs");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "  %5d %-9s %,9.0f  %3.0f%%  %9.1f  %8.2f %7.2f %8.2f   %12.1f   %s%n",
                    r.round(), r.mode(), r.opsPerSec(), r.cpu() * 100, r.cpu() * processors * 1e6 / r.opsPerSec(),
                    r.pingP50Ms(), r.pingP99Ms(), r.pingMaxMs(), r.syncMaxMs(),
                    r.stallMs() < 0 ? "   (no loop)"
                            : String.format(Locale.ROOT, "%12.1f  %4d  %4d  %9d", r.stallMs(), r.hogs(), r.lags(), r.handOffs()));
        }
        System.out.println("  ops/s: completed in the window; cpu: the JVM's share of all processors in it; ping: a trivial"
                + " task at a fixed rate, latency from its due time;");
        System.out.println("  fsync max: the longest sync() of a checkpoint (FileChannel.force), on whichever thread ran it;");
        System.out.println("  loop stall: the longest loop iteration or stall report (under hand-off a hog is cut, and"
                + " reported, once it has held the carrier for half the threshold, up to a quarter of that later)");
        System.out.println();
        System.out.printf(Locale.ROOT, "  goal: with hand-off or the provider, no loop stall over the %d ms threshold,"
                + " and throughput >= JDK virtual threads'%n", o.stallThreshold().toMillis());
        for (Verdict v : verdicts) {
            System.out.println("    " + v);
        }
        if (verdicts.isEmpty()) {
            System.out.println("    (neither hand-off nor provider ran)");
        }
    }

    private static double meanOps(List<Row> rows, StorageMode mode) {
        return rows.stream().filter(r -> r.storageMode() == mode).mapToDouble(Row::opsPerSec).average().orElse(Double.NaN);
    }
}
