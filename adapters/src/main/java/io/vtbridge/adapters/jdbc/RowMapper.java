package io.vtbridge.adapters.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Turns the current row of a {@link ResultSet} into a value. Called once per row, on the bridged
 * thread that runs the query, with the result set positioned on the row: read its columns, do not
 * move the cursor or close the result set. What it throws fails the call (or ends the stream) with
 * that same exception.
 *
 * @param <T> the type of the row's value
 */
@FunctionalInterface
public interface RowMapper<T> {

    /**
     * The value of the current row. May return {@code null} for {@link AsyncJdbc#query}; a stream
     * ({@link AsyncJdbc#stream}) fails with a {@link NullPointerException} instead, since a
     * {@link java.util.concurrent.Flow.Subscriber} never receives {@code null}.
     *
     * @param row the result set, positioned on the row
     * @throws SQLException as the driver throws it
     */
    T map(ResultSet row) throws SQLException;
}
