package io.vtbridge.bench.report;

import org.jfree.chart.JFreeChart;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One step of the report: a child JVM that writes {@code csv}, stopped after {@code limit}, and the
 * charts drawn from that CSV (chart file name without ".png" → chart).
 *
 * <p><b>Threading:</b> immutable.
 */
record ReportStep(String name, List<String> jvmFlags, List<String> mainAndArgs, Path csv, Duration limit,
                  Function<CsvTable, Map<String, JFreeChart>> charts) {
}
