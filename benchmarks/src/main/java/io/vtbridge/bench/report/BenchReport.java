package io.vtbridge.bench.report;

import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./vtb bench}: runs every sample's comparison and the core JMH suites, one child JVM each, in
 * a bounded time, shows its progress, writes each step's CSV and draws its charts (PNG), all into
 * one folder ({@code docs/bench/} by default).
 *
 * <pre>
 * ./vtb bench [--quick] [--only NAME,NAME] [--out DIR] [--charts]
 *   --quick   each sample in its --quick mode, JMH with short iterations: minutes, not the
 *             documented numbers
 *   --only    run these steps only (names as in the progress lines)
 *   --out     where the CSVs and the charts go
 *   --charts  run nothing: draw the charts again from the CSVs already in the folder
 * </pre>
 *
 * A step that fails or runs past its time limit is stopped, reported, and the next one runs; the
 * exit status is 1 if any step failed. Charts are drawn from the CSVs, so a rerun of one step
 * redraws its charts only.
 *
 * <p><b>Threading:</b> the main thread runs the steps one after another.
 */
public final class BenchReport {

    private BenchReport() {
    }

    /** Runs the report; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean chartsOnly = false;
        List<String> only = null;
        Path out = Path.of("docs", "bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--charts" -> chartsOnly = true;
                case "--only" -> only = Arrays.asList(value(args, ++i, "--only").split(","));
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--help", "-h" -> {
                    usage();
                    return;
                }
                default -> {
                    System.err.println("bench: unknown option '" + args[i] + "'");
                    usage();
                    System.exit(2);
                }
            }
        }
        Files.createDirectories(out);
        List<ReportStep> steps = ReportSteps.all(quick, out);
        if (only != null) {
            List<String> names = steps.stream().map(ReportStep::name).toList();
            for (String name : only) {
                if (!names.contains(name)) {
                    System.err.println("bench: no step '" + name + "' (steps: " + String.join(", ", names) + ")");
                    System.exit(2);
                }
            }
            List<String> wanted = only;
            steps = steps.stream().filter(s -> wanted.contains(s.name())).toList();
        }
        System.exit(run(steps, quick, chartsOnly) ? 0 : 1);
    }

    private static boolean run(List<ReportStep> steps, boolean quick, boolean chartsOnly) throws InterruptedException {
        long start = System.nanoTime();
        Map<String, String> outcome = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            ReportStep step = steps.get(i);
            System.out.printf("%n==> [%d/%d] %s (%s mode, limit %s; %s elapsed)%n", i + 1, steps.size(), step.name(),
                    quick ? "quick" : "full", minutes(step.limit()), minutes(Duration.ofNanos(System.nanoTime() - start)));
            long stepStart = System.nanoTime();
            String result = chartsOnly ? draw(step) : runStep(step);
            outcome.put(step.name(), result + " in " + minutes(Duration.ofNanos(System.nanoTime() - stepStart)));
            System.out.println("<== " + step.name() + ": " + outcome.get(step.name()));
        }
        System.out.printf("%nbench: %d step(s) in %s%n", steps.size(), minutes(Duration.ofNanos(System.nanoTime() - start)));
        outcome.forEach((name, result) -> System.out.printf("  %-18s %s%n", name, result));
        return outcome.values().stream().allMatch(r -> r.startsWith("ok"));
    }

    private static String runStep(ReportStep step) throws InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(step.jvmFlags());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(step.mainAndArgs());
        Process process;
        try {
            process = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            return "FAILED to start: " + e;
        }
        if (!process.waitFor(step.limit().toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            return "FAILED: stopped after its limit of " + minutes(step.limit());
        }
        if (process.exitValue() != 0) {
            return "FAILED: exit status " + process.exitValue();
        }
        return draw(step);
    }

    /** Draws the charts of {@code step} from its CSV; "ok, ..." or "FAILED ...". */
    private static String draw(ReportStep step) {
        if (!Files.isRegularFile(step.csv())) {
            return "FAILED: no " + step.csv();
        }
        try {
            CsvTable table = CsvTable.read(step.csv());
            List<String> drawn = new ArrayList<>();
            for (Map.Entry<String, JFreeChart> chart : step.charts().apply(table).entrySet()) {
                Path file = step.csv().resolveSibling(chart.getKey() + ".png");
                Charts.png(chart.getValue(), file);
                drawn.add(file.getFileName().toString());
            }
            return "ok, " + step.csv().getFileName() + (drawn.isEmpty() ? "" : ", charts " + String.join(", ", drawn));
        } catch (IOException | RuntimeException e) {
            return "FAILED drawing the charts of " + step.csv() + ": " + e;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println("bench: " + option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    private static String minutes(Duration d) {
        long s = d.toSeconds();
        return String.format("%d:%02d", s / 60, s % 60);
    }

    private static void usage() {
        System.out.println("./vtb bench [--quick] [--only NAME,NAME] [--out DIR] [--charts]   (see docs/BENCHMARKS.md)");
    }
}
