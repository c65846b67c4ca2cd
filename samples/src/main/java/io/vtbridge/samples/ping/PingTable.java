package io.vtbridge.samples.ping;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Prints {@link PingUnderLoad}'s rows as a table, and the goal with its verdict round by round.
 *
 * <p><b>Threading:</b> static methods; one thread per stream at a time.
 */
final class PingTable {

    private PingTable() {
    }

    static void print(List<PingRow> rows, PrintStream out) {
        out.println();
        out.println("round  mode              CPU busy  (load)  ping p50 / p99 / max ms     p99 from send   lost"
                + "  sender late p99 / max ms  queries/s   503  failed  query p50 / p99 ms  background ms/s");
        for (PingRow r : rows) {
            out.printf(Locale.ROOT, "%5d  %-16s %7.1f%% %6.1f%%  %7.2f / %7.2f / %7.2f  %14.2f  %5d  %11.2f / %7.2f"
                            + "  %9.1f %5d %7d  %8.1f / %7.1f  %15.1f%n",
                    r.round(), r.mode(), r.cpuBusyPct(), r.loadCpuPct(), r.pingP50Ms(), r.pingP99Ms(), r.pingMaxMs(),
                    r.pingFromSendP99Ms(), r.pingLost(), r.senderLateP99Ms(), r.senderLateMaxMs(), r.queriesPerSec(), r.queries503(),
                    r.queriesFailed(), r.queryP50Ms(), r.queryP99Ms(), r.backgroundMsPerSec());
        }
        out.println("  CPU busy: process CPU time / (wall time x processors); (load): the load generator's part of it.");
        out.println("  ping: from when each ping was due, so it includes how late the sender was (sender late);"
                + " p99 from send leaves that out.");
    }

    /**
     * Prints the goal and, per round, each bridged mode's ping p99 against it and against the common
     * pool's. The verdict is mode {@code bridge}'s (the CPU pool on processors − 1 threads, the
     * recommended setting); {@code bridge-all-cores} is shown beside it.
     *
     * @return whether {@code bridge} met the goal in every round (false if it or the common pool did not run)
     */
    static boolean printGoal(List<PingRow> rows, int rounds, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "goal: on the bridge, ping p99 < %.0f ms while the CPU is busy, and >= %.0fx better than"
                + " the common pool's%n", PingUnderLoad.GOAL_P99_MS, PingUnderLoad.GOAL_FACTOR);
        boolean met = true;
        for (PingMode mode : List.of(PingMode.BRIDGE, PingMode.BRIDGE_ALL_CORES)) {
            boolean all = true;
            for (int round = 1; round <= rounds; round++) {
                Optional<PingRow> bridge = find(rows, round, mode);
                Optional<PingRow> common = find(rows, round, PingMode.COMMON_POOL);
                if (bridge.isEmpty() || common.isEmpty()) {
                    out.printf(Locale.ROOT, "  %-16s round %d: not measured (needs modes %s and common-pool)%n",
                            mode.label(), round, mode.label());
                    all = false;
                    continue;
                }
                PingRow b = bridge.get();
                PingRow c = common.get();
                double factor = c.pingP99Ms() / b.pingP99Ms();
                boolean ok = b.pingP99Ms() < PingUnderLoad.GOAL_P99_MS && factor >= PingUnderLoad.GOAL_FACTOR
                        && b.pingLost() == 0;
                out.printf(Locale.ROOT, "  %-16s round %d: p99 %.2f ms at %.0f%% CPU, common pool p99 %.2f ms at %.0f%% CPU:"
                        + " %.1fx; %s%n", mode.label(), round, b.pingP99Ms(), b.cpuBusyPct(), c.pingP99Ms(), c.cpuBusyPct(),
                        factor, ok ? "met" : "NOT met");
                all &= ok;
            }
            if (mode == PingMode.BRIDGE) {
                met = all;
            }
        }
        out.println(met ? "goal met in every round (mode bridge)" : "goal NOT met in every round (mode bridge)");
        return met;
    }

    private static Optional<PingRow> find(List<PingRow> rows, int round, PingMode mode) {
        return rows.stream().filter(r -> r.round() == round && r.mode().equals(mode.label())).findFirst();
    }
}
