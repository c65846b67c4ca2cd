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
            case "storage" -> SampleCharts::storage;
            case "ping-under-load" -> SampleCharts::ping;
            case "http-latency" -> SampleCharts::http;
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

    private static Map<String, JFreeChart> storage(CsvTable t) {
        Map<String, JFreeChart> charts = new LinkedHashMap<>();
        charts.put("sample-storage-throughput", Charts.columns("storage: MVStore operations per second",
                "operations/s", t, "mode", Map.of("operations/s", "ops_per_s"), false));
        CsvTable bridged = t.where(r -> t.number(r, "stall_ms") >= 0);          // the bridged modes report stalls
        charts.put("sample-storage-stall", Charts.columns("storage: the longest loop stall (bridged modes)",
                "ms", bridged, "mode", Map.of("longest stall", "stall_ms"), false));
        charts.put("sample-storage-ping", Charts.columns("storage: a ping's latency during the run",
                "ms", t, "mode", ordered("p50", "ping_p50_ms", "p99", "ping_p99_ms", "max", "ping_max_ms"), true));
        return charts;
    }

    private static Map<String, JFreeChart> ping(CsvTable t) {
        Map<String, JFreeChart> charts = new LinkedHashMap<>();
        charts.put("sample-ping-under-load-ping", Charts.columns("ping-under-load: /ping latency while the CPU is saturated",
                "ms from the due time", t, "mode", ordered("p50", "pingP50Ms", "p99", "pingP99Ms", "max", "pingMaxMs"), true));
        charts.put("sample-ping-under-load-queries", Charts.columns("ping-under-load: queries served meanwhile",
                "queries/s", t, "mode", Map.of("queries/s", "queriesPerSec"), false));
        return charts;
    }

    private static Map<String, JFreeChart> http(CsvTable t) {
        Map<String, JFreeChart> charts = new LinkedHashMap<>();
        for (String rate : t.distinct("rate")) {
            CsvTable one = t.where(r -> t.text(r, "rate").equals(rate));
            charts.put("sample-http-latency-" + rate, Charts.profile("http-latency at " + rate + " requests/s: latency",
                    "ms from the due time", one, "mode",
                    ordered("p50", "p50Ms", "p99", "p99Ms", "p99.9", "p999Ms", "max", "maxMs"), false));
        }
        charts.put("sample-http-latency-cpu", Charts.bars("http-latency: the server's CPU time per request",
                "µs per request", t, "rate", "mode", "serverCpuUsPerRequest"));
        return charts;
    }

    /** Label → column pairs in the order given. */
    private static Map<String, String> ordered(String... labelsAndColumns) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < labelsAndColumns.length; i += 2) {
            map.put(labelsAndColumns[i], labelsAndColumns[i + 1]);
        }
        return map;
    }
}
