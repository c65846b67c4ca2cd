package io.vtbridge.bench.report;

import org.jfree.chart.JFreeChart;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@code ./vtb bench} runs, in order, and the charts of each step: the samples (each against
 * its alternative, in one JVM), then the core JMH suites with their JDK baselines.
 *
 * <p><b>Threading:</b> used by the report's main thread.
 */
final class ReportSteps {

    private static final List<String> OPENS = List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED");

    private ReportSteps() {
    }

    static List<ReportStep> all(boolean quick, Path out) {
        List<ReportStep> steps = new ArrayList<>();
        for (String sample : List.of("ping-under-load", "jobqueue", "walredo", "storage", "http-latency")) {
            steps.add(sample(sample, quick, out));
        }
        steps.add(jmh("jmh-core", "SameShardResumeBenchmark|SubmitRoundTripBenchmark", "executor", quick, out));
        steps.add(jmh("jmh-lock", "LockHandoffBenchmark", "lock", quick, out));
        return steps;
    }

    private static ReportStep sample(String name, boolean quick, Path out) {
        Path csv = out.resolve("sample-" + name + ".csv");
        List<String> main = new ArrayList<>(List.of("io.vtbridge.samples.Samples", name, "--csv", csv.toString()));
        if (quick) {
            main.add("--quick");
        }
        List<String> flags = new ArrayList<>(OPENS);
        flags.addAll(List.of("-Xms1g", "-Xmx2g"));
        return new ReportStep(name, flags, main, csv, quick ? Duration.ofMinutes(4) : Duration.ofMinutes(25),
                SampleCharts.of(name));
    }

    private static ReportStep jmh(String name, String regex, String param, boolean quick, Path out) {
        Path csv = out.resolve(name + ".csv");
        List<String> main = new ArrayList<>(List.of("org.openjdk.jmh.Main", regex, "-rf", "csv", "-rff", csv.toString()));
        if (quick) {
            main.addAll(List.of("-f", "1", "-wi", "1", "-w", "500ms", "-i", "2", "-r", "500ms"));
        }
        return new ReportStep(name, OPENS, main, csv, quick ? Duration.ofMinutes(6) : Duration.ofMinutes(30),
                jmhCharts(name, "Param: " + param));
    }

    /** One bar chart per JMH benchmark method: its score for each value of the parameter. */
    private static Function<CsvTable, Map<String, JFreeChart>> jmhCharts(String step, String paramColumn) {
        return table -> {
            Map<String, JFreeChart> charts = new LinkedHashMap<>();
            CsvTable main = table.where(r -> !table.text(r, "Benchmark").contains(":")); // not the aux counters
            for (String benchmark : main.distinct("Benchmark")) {
                CsvTable one = main.where(r -> main.text(r, "Benchmark").equals(benchmark));
                String shortName = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
                String unit = one.text(one.rows().get(0), "Unit");
                charts.put(step + "-" + shortName.replace('.', '-'),
                        Charts.bars(shortName + " (lower is better)", unit, one, paramColumn, "Mode", "Score"));
            }
            return charts;
        };
    }
}
