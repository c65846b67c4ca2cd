package io.vtbridge.bench.report;

import org.jfree.chart.JFreeChart;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The charts of each sample's CSV (the columns each sample writes are described on its page under
 * docs/samples/).
 *
 * <p><b>Threading:</b> stateless.
 */
final class SampleCharts {

    private SampleCharts() {
    }

    static Function<CsvTable, Map<String, JFreeChart>> of(String sample) {
        return switch (sample) {
            case "jobqueue" -> SampleCharts::jobqueue;
            case "walredo" -> SampleCharts::walredo;
            default -> table -> Map.of();
        };
    }

    private static Map<String, JFreeChart> walredo(CsvTable t) {
        Map<String, JFreeChart> charts = new LinkedHashMap<>();
        charts.put("sample-walredo-throughput", Charts.lines("walredo: calls/s against concurrent callers",
                "callers", "calls/s", t, "callers", "calls_per_s", "mode", true));
        charts.put("sample-walredo-p99", Charts.lines("walredo: p99 latency against concurrent callers",
                "callers", "p99, µs", t, "callers", "p99_us", "mode", true));
        return charts;
    }

    private static Map<String, JFreeChart> jobqueue(CsvTable t) {
        Map<String, JFreeChart> charts = new LinkedHashMap<>();
        charts.put("sample-jobqueue-threads", Charts.bars("Server platform threads while the clients wait",
                "platform threads", t, "scenario", "server", "server_threads"));
        CsvTable listed = t.where(r -> t.number(r, "list_sent") > 0);
        charts.put("sample-jobqueue-list-answered", Charts.bars("GET /jobs answered within 2 s while the clients wait",
                "requests answered", listed, "scenario", "server", "list_ok"));
        CsvTable heap = t.where(r -> t.number(r, "heap_per_waiter_bytes") > 0);
        charts.put("sample-jobqueue-heap", Charts.bars("Heap per waiting client (after GC)",
                "bytes per waiter", heap, "scenario", "server", "heap_per_waiter_bytes"));
        return charts;
    }
}
