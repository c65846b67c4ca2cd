package io.vtbridge.samples.stress;

import io.vtbridge.samples.http.SampleArgs;
import io.vtbridge.stress.Schedule;
import io.vtbridge.stress.StressResult;
import io.vtbridge.stress.StressTester;
import io.vtbridge.stress.Strategy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./vtb sample stress}: the five planted bugs, each searched for by the stress mode (random and
 * PCT schedules) and by the same scenario on plain platform threads in a loop, in the same run. For
 * each: schedules (or iterations) and wall time to the first failure, whether the failing schedule
 * replays exactly from its id, and one failure's report.
 *
 * <p><b>Threading:</b> {@link #main} on the JVM's main thread, which carries the stress runs.
 */
public final class StressSample {

    private static final String USAGE = """
            ./vtb sample stress [OPTIONS]
              Five planted concurrency bugs (a lost update, check-then-act under a read lock, a lost
              condition signal, a lock-order deadlock, a job-queue wait that misses a change), each
              searched for with seeded random and PCT schedules and with plain platform threads in a loop:
              schedules and wall time to the first failure, and the replay of each failing schedule.
              --repeats N         searches per bug and strategy, each with its own base seed (default 3)
              --schedules N       the most schedules (or loop iterations) per search (default 1000)
              --platform-seconds S  wall-time budget of one platform-thread search (default 60)
              --hang-seconds S    a platform-thread iteration still running after this is a hang (default 15;
                                  above the bugs' 10 s time-outs)
              --quick             one search per bug and strategy, platform-thread searches of at most 10 s
                                  each (under a minute in all)
              --no-platform       leave the platform-thread searches out
              --csv PATH          write the rows as CSV
              --help              this text""";

    /** One search. */
    record Row(String bug, String tool, String strategy, int repeat, int tries, long wallMicros, boolean found,
               String symptom, Boolean replayedExactly, long virtualMillis) {
    }

    private StressSample() {
    }

    /** Runs the comparison with the options {@code --help} lists; a bad option exits with code 2. */
    public static void main(String[] args) throws Exception {
        SampleArgs a = SampleArgs.optionsOrExit("stress", args,
                s -> SampleArgs.parse(s, USAGE, Set.of("--quick", "--no-platform"),
                        Set.of("--repeats", "--schedules", "--platform-seconds", "--hang-seconds", "--csv")));
        if (a == null) {
            return;
        }
        int repeats;
        int schedules;
        Duration platformBudget;
        Duration hang;
        try {
            boolean quick = a.flag("--quick");
            repeats = a.intIn("--repeats", quick ? 1 : 3, 1, 100);
            schedules = a.intIn("--schedules", 1000, 1, 1_000_000);
            platformBudget = a.seconds("--platform-seconds", Duration.ofSeconds(quick ? 10 : 60));
            hang = a.seconds("--hang-seconds", Duration.ofSeconds(15));
        } catch (IllegalArgumentException e) {
            System.err.println("stress: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<Row> rows = run(repeats, schedules, !a.flag("--no-platform"), platformBudget, hang, true);
        Path csv = a.path("--csv");
        if (csv != null) {
            writeCsv(csv, rows);
        }
    }

    /** The whole comparison; prints as it goes when {@code print}. */
    static List<Row> run(int repeats, int schedules, boolean platform, Duration platformBudget, Duration hang,
                         boolean print) throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        String shownReport = null;
        for (PlantedBugs.Bug bug : PlantedBugs.all()) {
            for (Strategy strategy : List.of(Strategy.random(), Strategy.pct(3))) {
                for (int r = 0; r < repeats; r++) {
                    StressTester tester = StressTester.builder().strategy(strategy).schedules(schedules).seed(r).build();
                    long start = System.nanoTime();
                    StressResult result = tester.run(bug.scenario());
                    long micros = (System.nanoTime() - start) / 1_000;
                    Schedule failing = result.failure().orElse(null);
                    Boolean exact = null;
                    if (failing != null) {
                        Schedule again = tester.replay(failing.id(), bug.scenario());
                        exact = again.outcome() == failing.outcome() && again.steps().equals(failing.steps());
                        if (shownReport == null && bug.symptom() == Schedule.Outcome.DEADLOCK) {
                            shownReport = failing.report();
                        }
                    }
                    Row row = new Row(bug.name(), "vtbridge", strategy.toString(), r, result.schedules(), micros,
                            failing != null, failing == null ? "-" : failing.outcome().toString(), exact,
                            failing == null ? 0L : failing.virtualNanos() / 1_000_000);
                    rows.add(row);
                    if (print) {
                        print(row);
                    }
                }
            }
            if (platform) {
                for (int r = 0; r < repeats; r++) {
                    Row row = PlatformLoop.search(bug, r, schedules, platformBudget, hang);
                    rows.add(row);
                    if (print) {
                        print(row);
                    }
                }
            }
        }
        if (print) {
            System.out.println();
            System.out.println("Failing schedules among the first " + schedules + " of base seeds 0, 1, 2, ... (each a run of one schedule):");
            for (PlantedBugs.Bug bug : PlantedBugs.all()) {
                for (Strategy strategy : List.of(Strategy.random(), Strategy.pct(3))) {
                    System.out.printf(Locale.ROOT, "  %-38s %-14s %5.1f %%%n", bug.name(), strategy,
                            100.0 * failingShare(bug, strategy, schedules));
                }
            }
        }
        if (print && shownReport != null) {
            System.out.println();
            System.out.println("A failing schedule's report (the deadlock):");
            System.out.println(shownReport);
        }
        return rows;
    }

    /**
     * The share of schedules that fail: {@code n} runs of one schedule each, base seeds 0 to n-1 (so
     * PCT spreads its change points over 16 steps, having seen no schedule before).
     */
    static double failingShare(PlantedBugs.Bug bug, Strategy strategy, int n) {
        int failed = 0;
        for (int seed = 0; seed < n; seed++) {
            StressResult r = StressTester.builder().strategy(strategy).schedules(1).seed(seed).build().run(bug.scenario());
            if (!r.passed()) {
                failed++;
            }
        }
        return failed / (double) n;
    }

    private static void print(Row row) {
        System.out.printf(Locale.ROOT, "%-38s %-9s %-14s #%d  %s after %4d %s, %9.1f ms%s%s%n", row.bug(), row.tool(),
                row.strategy(), row.repeat(), row.found() ? "found " + row.symptom() : "NOT found",
                row.tries(), row.tool().equals("vtbridge") ? "schedules " : "iterations", row.wallMicros() / 1000.0,
                row.virtualMillis() > 0 ? " (failing schedule: " + row.virtualMillis() / 1000.0 + " s of virtual time)" : "",
                row.replayedExactly() == null ? "" : row.replayedExactly() ? ", replayed exactly" : ", REPLAY DIFFERED");
    }

    static void writeCsv(Path csv, List<Row> rows) throws IOException {
        Path parent = csv.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
            w.println("bug,tool,strategy,repeat,tries_to_failure,wall_ms_to_failure,found,symptom,replayed_exactly,"
                    + "virtual_ms_of_failing_schedule");
            for (Row r : rows) {
                w.printf(Locale.ROOT, "%s,%s,%s,%d,%d,%.3f,%s,%s,%s,%d%n", r.bug(), r.tool(), r.strategy().replace(',', ';'),
                        r.repeat(), r.tries(), r.wallMicros() / 1000.0, r.found(), r.symptom(),
                        r.replayedExactly() == null ? "" : r.replayedExactly(), r.virtualMillis());
            }
        }
    }
}
