package io.vtbridge.samples.http;

import io.vtbridge.samples.load.Csv;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A sample's rows, records of named fields, as CSV through {@link Csv}: one column per record
 * component, named as the component, in declaration order.
 *
 * <p><b>Threading:</b> any thread; one writer per file at a time.
 */
public final class RecordCsv {

    private RecordCsv() {
    }

    /** The components' names of {@code type}, in declaration order. */
    public static List<String> header(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
    }

    /** The component values of {@code row}, in declaration order. */
    public static List<Object> values(Record row) {
        Objects.requireNonNull(row, "row");
        List<Object> values = new ArrayList<>();
        for (RecordComponent component : row.getClass().getRecordComponents()) {
            try {
                values.add(component.getAccessor().invoke(row));
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + component.getName() + " of " + row, e);
            }
        }
        return values;
    }

    /** Writes {@code rows} of {@code type} to {@code file} with a header line, replacing it. */
    public static <R extends Record> void write(Path file, Class<R> type, List<R> rows) throws IOException {
        Objects.requireNonNull(type, "type");
        List<List<?>> lines = new ArrayList<>();
        for (R row : rows) {
            lines.add(values(row));
        }
        Csv.write(file, header(type), lines);
    }
}
