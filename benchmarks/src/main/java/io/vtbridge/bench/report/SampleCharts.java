package io.vtbridge.bench.report;

import org.jfree.chart.JFreeChart;

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
        return table -> Map.of();
    }
}
