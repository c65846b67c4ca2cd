package io.vtbridge.samples.walredo;

import io.vtbridge.samples.load.Csv;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./vtb sample walredo}: the situation of Neon's async walredo change. A page server keeps a
 * helper process that applies WAL records to 8 KiB pages; many requests want it at once. Spoken to
 * one request at a time, the process idles while each answer travels back and the next request
 * travels in, and the callers queue behind a lock; pipelined, every waiting request goes down the
 * pipe at once and the answers come back in order.
 *
 * <p>The sample runs both against the same child program ({@link WalRedoChild}), each mode with its
 * own child:
 * <ul>
 *   <li>{@code sync}: N platform threads share the child behind a lock; each writes its request and
 *       reads its answer, holding its thread throughout ({@link BlockingRedoClient});</li>
 *   <li>{@code async}: N bridged virtual threads call
 *       {@link io.vtbridge.adapters.io.ProcessChannel#call}; the channel pipelines their requests to
 *       the child and matches the answers back.</li>
 * </ul>
 * It sweeps N (1 to 128 by default), closed loop: each caller sends its next request when its
 * previous one is answered, so the table gives throughput and service time per level (not latency
 * at a fixed rate). Modes alternate round by round. Every answer is checked against the page its
 * caller computed itself; at the end every page is read back from both children and compared.
 *
 * <p><b>Threading:</b> {@link #main} and {@link #run} run on the calling thread, which drives the
 * rounds; callers run on their own threads within each round (see {@link RedoRounds}).
 */
public final class WalRedoSample {

    private WalRedoSample() {
    }

    /**
     * Runs the sample with the options of {@link WalRedoOptions#HELP}. Exits with code 2 on a bad
     * option, 1 if a check failed (a mismatch, a failed call, a page read back wrong); returns
     * normally otherwise, the goal met or not.
     */
    public static void main(String[] args) throws Exception {
        WalRedoOptions o;
        try {
            o = WalRedoOptions.parse(args);
        } catch (IllegalArgumentException bad) {
            System.err.println("walredo: " + bad.getMessage());
            System.exit(2);
            return;
        }
        if (o.help()) {
            System.out.println(WalRedoOptions.HELP);
            return;
        }
        WalRedoResult r = run(o);
        if (!r.verified()) {
            System.exit(1);
        }
    }

    /** Runs the sweep {@code o} describes, prints its table to {@code System.out}, and returns its rows. */
    public static WalRedoResult run(WalRedoOptions o) throws Exception {
        return run(o, System.out);
    }

    /** Runs the sweep {@code o} describes, prints its table to {@code out}, and returns its rows. */
    public static WalRedoResult run(WalRedoOptions o, PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "walredo: one child applying WAL records to 8 KiB pages (%d pages, %d records of %d bytes per"
                        + " request, answer: %s)%n  sync:  N platform threads, one request at a time behind a %s lock%n"
                        + "  async: ProcessChannel, pipelined, %s%n"
                        + "  closed loop per caller, %d x %.1f s per level and mode (median shown), %.1f s warm-up; JDK %s, %d CPUs%n%n",
                o.pages(), o.records(), o.recordBytes(), o.answerPage() ? "the page" : "its checksum",
                o.fairLock() ? "fair" : "barging",
                o.bridgedCallers() ? "N bridged virtual threads calling channel.call on " + o.shards() + " shards"
                        : "N chains of channel.request futures (each answer's stage sends the next request)",
                o.rounds(), o.seconds(), o.warmupSeconds(), Runtime.version(), Runtime.getRuntime().availableProcessors());
        List<WalRedoRow> rows = new ArrayList<>();
        long warmupProblems = 0;
        long syncReadBack;
        long asyncReadBack;
        int restarts;
        long discarded;
        List<Long> pids;
        String firstFailure = null;
        try (RedoRounds rounds = new RedoRounds(o)) {
            pids = rounds.childPids();
            long seed = 1;
            if (o.warmupSeconds() > 0) {
                for (String mode : List.of(RedoRounds.SYNC, RedoRounds.ASYNC)) {
                    RoundResult w = rounds.round(mode, Math.min(8, Collections.max(o.callers())), o.warmupSeconds(), seed++);
                    warmupProblems += w.mismatches() + w.failures();
                    firstFailure = firstFailure != null || w.firstFailure() == null ? firstFailure : String.valueOf(w.firstFailure());
                }
            }
            out.println(header());
            for (int callers : o.callers()) {
                List<RoundResult> sync = new ArrayList<>();
                List<RoundResult> async = new ArrayList<>();
                for (int round = 0; round < o.rounds(); round++) {
                    boolean syncFirst = round % 2 == 0;
                    for (String mode : syncFirst ? List.of(RedoRounds.SYNC, RedoRounds.ASYNC) : List.of(RedoRounds.ASYNC, RedoRounds.SYNC)) {
                        RoundResult r = rounds.round(mode, callers, o.seconds(), seed++);
                        (mode.equals(RedoRounds.SYNC) ? sync : async).add(r);
                        firstFailure = firstFailure != null || r.firstFailure() == null ? firstFailure : String.valueOf(r.firstFailure());
                    }
                }
                WalRedoRow s = combine(RedoRounds.SYNC, callers, sync);
                WalRedoRow a = combine(RedoRounds.ASYNC, callers, async);
                rows.add(s);
                rows.add(a);
                out.println(line(s, a));
            }
            syncReadBack = rounds.readBack(RedoRounds.SYNC);
            asyncReadBack = rounds.readBack(RedoRounds.ASYNC);
            restarts = rounds.restarts();
            discarded = rounds.discardedResponses();
        }
        WalRedoResult result = new WalRedoResult(o, rows, syncReadBack, asyncReadBack, warmupProblems, restarts, discarded,
                pids, firstFailure);
        printSummary(result, out);
        if (o.csv() != null) {
            List<List<?>> values = new ArrayList<>();
            for (WalRedoRow r : rows) {
                values.add(r.values());
            }
            Csv.write(o.csv(), WalRedoRow.HEADER, values);
            out.println("CSV: " + o.csv());
        }
        return result;
    }

    /** One row from the measured rounds of one mode at one level. */
    static WalRedoRow combine(String mode, int callers, List<RoundResult> rounds) {
        double[] rates = rounds.stream().mapToDouble(RoundResult::callsPerSecond).sorted().toArray();
        double median = rates.length % 2 == 1 ? rates[rates.length / 2] : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2;
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long calls = 0;
        long mismatches = 0;
        long failures = 0;
        long parentCpu = 0;
        long childCpu = 0;
        boolean cpuKnown = true;
        for (RoundResult r : rounds) {
            latency.add(r.latency());
            calls += r.calls();
            mismatches += r.mismatches();
            failures += r.failures();
            parentCpu += r.parentCpuNanos();
            childCpu += r.childCpuNanos();
            cpuKnown &= r.parentCpuNanos() >= 0 && r.childCpuNanos() >= 0;
        }
        double perCall = calls == 0 || !cpuKnown ? Double.NaN : 1.0 / calls / 1000.0;
        return new WalRedoRow(mode, callers, rounds.size(), calls, median, rates[0], rates[rates.length - 1],
                micros(latency, 50), micros(latency, 99), latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1000.0,
                parentCpu * perCall, childCpu * perCall, mismatches, failures);
    }

    private static double micros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static String header() {
        return String.format(Locale.ROOT, "%7s | %13s | %13s | %6s | %19s | %19s | %17s | %17s%n%s", "callers", "sync calls/s",
                "async calls/s", "ratio", "sync p50 / p99 us", "async p50 / p99 us", "sync CPU us/call", "async CPU us/call",
                "        |               |               |        |                     |                     |"
                        + "  (JVM + child)    |  (JVM + child)");
    }

    private static String line(WalRedoRow s, WalRedoRow a) {
        return String.format(Locale.ROOT, "%7d | %,13.0f | %,13.0f | %5.2fx | %19s | %19s | %17s | %17s", s.callers(),
                s.callsPerSecond(), a.callsPerSecond(), a.callsPerSecond() / s.callsPerSecond(),
                latency(s), latency(a), cpu(s), cpu(a));
    }

    private static String latency(WalRedoRow r) {
        return String.format(Locale.ROOT, "%,.0f / %,.0f", r.p50Micros(), r.p99Micros());
    }

    private static String cpu(WalRedoRow r) {
        return String.format(Locale.ROOT, "%.1f + %.1f", r.parentCpuMicrosPerCall(), r.childCpuMicrosPerCall());
    }

    private static void printSummary(WalRedoResult r, PrintStream out) {
        out.println();
        for (String mode : List.of(RedoRounds.SYNC, RedoRounds.ASYNC)) {
            OptionalInt knee = r.knee(mode);
            if (knee.isPresent()) {
                WalRedoRow at = r.row(mode, knee.getAsInt()).orElseThrow();
                double best = r.rows().stream().filter(x -> x.mode().equals(mode)).mapToDouble(WalRedoRow::callsPerSecond).max().orElse(0);
                out.printf(Locale.ROOT, "knee, %-5s: %d caller%s (%,.0f calls/s; best level %,.0f): more callers add less than %.0f %%%n",
                        mode, knee.getAsInt(), knee.getAsInt() == 1 ? "" : "s", at.callsPerSecond(), best,
                        (1 - WalRedoResult.KNEE_SHARE) * 100);
            }
        }
        out.println();
        List<String> goal = r.goalLines();
        if (goal.isEmpty()) {
            out.println("goal (async >= 1.5x sync at 16+ callers, >= 0.9x at 1): not measured at these levels");
        } else {
            out.println("goal: async >= 1.5x sync throughput at 16 callers and more, >= 0.9x at 1 caller");
            goal.forEach(l -> out.println("  " + l));
            out.println("  => " + (r.goalMet() ? "met" : "NOT met"));
        }
        out.println();
        long calls = r.rows().stream().mapToLong(WalRedoRow::calls).sum();
        long mismatches = r.rows().stream().mapToLong(WalRedoRow::mismatches).sum();
        long failures = r.rows().stream().mapToLong(WalRedoRow::failures).sum();
        out.printf(Locale.ROOT, "verified: %,d measured answers, %d checksum mismatches, %d failed callers, %d warm-up problems;"
                        + " %d pages read back per child: %d (sync) and %d (async) differ; %d child restarts, %d discarded answers: %s%n",
                calls, mismatches, failures, r.warmupProblems(), r.options().pages(), r.syncReadBackMismatches(),
                r.asyncReadBackMismatches(), r.restarts(), r.discardedResponses(), r.verified() ? "OK" : "FAILED");
        if (r.firstFailure() != null) {
            out.println("first failure: " + r.firstFailure());
        }
    }
}
