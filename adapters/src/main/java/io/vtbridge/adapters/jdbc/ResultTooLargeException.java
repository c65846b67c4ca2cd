package io.vtbridge.adapters.jdbc;

import java.sql.SQLNonTransientException;

/**
 * The failure of a {@link AsyncJdbc#query query} (or {@link Transaction#query}) whose result has more
 * rows than the {@code maxRows} bound of its {@link AsyncJdbc}: a query collects its rows into a
 * list, so the bound keeps one call from filling the heap. Read large results with
 * {@link AsyncJdbc#stream}, which holds at most the rows requested, or raise
 * {@link AsyncJdbcBuilder#maxRows(int)}. The rows read so far were dropped; the statement was closed.
 */
public final class ResultTooLargeException extends SQLNonTransientException {

    private static final long serialVersionUID = 1L;

    private final int maxRows;

    /**
     * @param sql     the query
     * @param maxRows the bound that was exceeded
     */
    public ResultTooLargeException(String sql, int maxRows) {
        super("query returned more than maxRows=" + maxRows + " rows (use stream() for large results): " + sql);
        this.maxRows = maxRows;
    }

    /** The bound that was exceeded. */
    public int maxRows() {
        return maxRows;
    }
}
