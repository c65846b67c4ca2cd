package io.vtbridge.samples.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Writes a sample's measurements as CSV, the form {@code docs/bench/} keeps them in: a header line,
 * then one line per row. Values are written with {@code String.valueOf}; a value containing a comma
 * or a quote is quoted.
 *
 * <p><b>Threading:</b> one thread at a time per file.
 */
public final class Csv {

    private Csv() {
    }

    /** Writes {@code header} and {@code rows} to {@code file}, replacing it; creates its folder. */
    public static void write(Path file, List<String> header, List<List<?>> rows) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(rows, "rows");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        StringBuilder text = new StringBuilder(line(header));
        for (List<?> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("a row of " + row.size() + " values for " + header.size() + " columns: " + row);
            }
            text.append(line(row));
        }
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    private static String line(List<?> values) {
        return values.stream().map(Csv::cell).collect(Collectors.joining(",", "", "\n"));
    }

    private static String cell(Object value) {
        String s = String.valueOf(value);
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
