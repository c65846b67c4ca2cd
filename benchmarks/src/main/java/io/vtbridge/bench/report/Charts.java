package io.vtbridge.bench.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's charts, drawn with JFreeChart, headless, to PNG. Where a CSV holds several rounds of
 * one point, the chart shows their median.
 *
 * <p><b>Threading:</b> one thread at a time (JFreeChart's objects are not thread-safe).
 */
final class Charts {

    /** Where the bars of a log-scale chart start: below every latency the samples report, in ms. */
    private static final double LOG_FLOOR = 0.1;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * One line per value of {@code series}: {@code y} against {@code x}.
     *
     * @param logX a log-2 x axis (caller counts 1, 2, 4, … 128)
     */
    static JFreeChart lines(String title, String xLabel, String yLabel, CsvTable table, String x, String y,
                            String series, boolean logX) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String name : table.distinct(series)) {
            Map<Double, List<Double>> points = new LinkedHashMap<>();
            for (List<String> row : table.rows()) {
                if (table.text(row, series).equals(name)) {
                    points.computeIfAbsent(table.number(row, x), k -> new ArrayList<>()).add(table.number(row, y));
                }
            }
            XYSeries line = new XYSeries(name);
            points.forEach((px, ys) -> line.add(px.doubleValue(), median(ys)));
            data.addSeries(line);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = (XYPlot) chart.getPlot();
        if (logX) {
            LogAxis axis = new LogAxis(xLabel);
            axis.setBase(2);
            axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            plot.setDomainAxis(axis);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        plot.setRenderer(renderer);
        plain(plot);
        return chart;
    }

    /** Bars of {@code value}, grouped by {@code category}, one colour per value of {@code series}. */
    static JFreeChart bars(String title, String yLabel, CsvTable table, String category, String series, String value) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String s : table.distinct(series)) {
            CsvTable ofSeries = table.where(r -> table.text(r, series).equals(s));
            for (String c : table.distinct(category)) {
                List<Double> values = values(ofSeries, category, c, value);
                if (!values.isEmpty()) {
                    data.addValue(median(values), s, c);
                }
            }
        }
        return categoryChart(title, category, yLabel, data, false);
    }

    /**
     * Bars of several columns of one table: a group per value of {@code category}, a bar per column
     * (labelled by the map's keys, in its order). With {@code logY} the value axis is log-10, for
     * figures that differ by orders of magnitude.
     */
    static JFreeChart columns(String title, String yLabel, CsvTable table, String category,
                              Map<String, String> columns, boolean logY) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String c : table.distinct(category)) {
            columns.forEach((label, column) -> data.addValue(median(values(table, category, c, column)), label, c));
        }
        return categoryChart(title, category, yLabel, data, logY);
    }

    /**
     * The columns of one table as the groups, a bar per value of {@code series} in each: a profile,
     * such as latency at p50, p99 and p99.9 for each mode.
     */
    static JFreeChart profile(String title, String yLabel, CsvTable table, String series,
                              Map<String, String> columns, boolean logY) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String s : table.distinct(series)) {
            columns.forEach((label, column) -> data.addValue(median(values(table, series, s, column)), s, label));
        }
        return categoryChart(title, "", yLabel, data, logY);
    }

    private static List<Double> values(CsvTable table, String key, String keyValue, String column) {
        List<Double> values = new ArrayList<>();
        for (List<String> row : table.rows()) {
            if (table.text(row, key).equals(keyValue)) {
                values.add(table.number(row, column));
            }
        }
        return values;
    }

    private static JFreeChart categoryChart(String title, String xLabel, String yLabel, DefaultCategoryDataset data,
                                            boolean logY) {
        JFreeChart chart = ChartFactory.createBarChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.getDomainAxis().setMaximumCategoryLabelLines(3);
        if (logY) {
            LogAxis axis = new LogAxis(yLabel + " (log scale)");
            axis.setBase(10);
            axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());    // one tick per power of ten
            axis.setNumberFormatOverride(new DecimalFormat("0.###"));
            axis.setSmallestValue(LOG_FLOOR);
            plot.setRangeAxis(axis);
            ((BarRenderer) plot.getRenderer()).setBase(LOG_FLOOR);
        }
        plain(plot);
        return chart;
    }

    /** White background, grey grid: readable when printed and in dark-mode viewers alike. */
    private static void plain(Plot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        if (plot instanceof CategoryPlot c) {
            c.setRangeGridlinePaint(Color.GRAY);
        } else if (plot instanceof XYPlot xy) {
            xy.setRangeGridlinePaint(Color.GRAY);
            xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
        }
    }

    static void png(JFreeChart chart, Path file) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 520);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
