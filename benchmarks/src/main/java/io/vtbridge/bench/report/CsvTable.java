package io.vtbridge.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A CSV file as the samples and JMH write it (a header line, one row per line; double quotes around
 * a cell that holds a comma or a quote), read whole, for drawing charts.
 *
 * <p><b>Threading:</b> immutable after {@link #read}.
 */
record CsvTable(Path file, List<String> header, List<List<String>> rows) {

    static CsvTable read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException("empty CSV file: " + file);
        }
        List<String> header = split(lines.get(0));
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isBlank()) {
                rows.add(split(line));
            }
        }
        return new CsvTable(file, List.copyOf(header), List.copyOf(rows));
    }

    /** The index of {@code column}. */
    int column(String column) {
        int i = header.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column '" + column + "' in " + file + " (columns: " + header + ")");
        }
        return i;
    }

    String text(List<String> row, String column) {
        return row.get(column(column));
    }

    double number(List<String> row, String column) {
        return Double.parseDouble(text(row, column));
    }

    /** The distinct values of {@code column}, in the order they first appear. */
    Set<String> distinct(String column) {
        Set<String> values = new LinkedHashSet<>();
        int i = column(column);
        rows.forEach(r -> values.add(r.get(i)));
        return values;
    }

    /** The rows for which {@code keep} holds. */
    CsvTable where(Predicate<List<String>> keep) {
        return new CsvTable(file, header, rows.stream().filter(keep).toList());
    }

    static List<String> split(String line) {
        Objects.requireNonNull(line, "line");
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
