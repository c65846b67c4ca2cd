package io.vtbridge.adapters.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * The handle a {@link TransactionBody} gets from {@link AsyncJdbc#inTransaction}: synchronous
 * statements on the transaction's one connection (auto-commit off). The statements block the
 * bridged thread that runs the body, which unmounts while the driver waits, so they cost no
 * platform thread. Their exceptions are the driver's, unchanged; a body that lets one escape rolls
 * the transaction back and fails the call with it. A body that catches one may go on with the
 * transaction, as far as the database allows.
 *
 * <p><b>Threading:</b> not thread-safe: use it only on the thread that runs the body and only until
 * the body returns; other threads, and any later use, get an {@link IllegalStateException}.
 */
public final class Transaction {

    private final Connection connection;
    private final int maxRows;
    private final Thread owner;
    private boolean ended; // written by the body's thread when the body ends; read by any user of the handle (one that has not seen it fails the owner check)

    Transaction(Connection connection, int maxRows) {
        this.connection = connection;
        this.maxRows = maxRows;
        this.owner = Thread.currentThread();
    }

    /**
     * Runs a query in this transaction and maps every row, as {@link AsyncJdbc#query} does.
     *
     * @param sql    the statement, with {@code ?} placeholders
     * @param params the values of the placeholders, in order ({@code setObject}); null elements bind SQL NULL
     * @param mapper called once per row
     * @return the rows' values, in the result's order
     * @throws SQLException            what the driver or {@code mapper} threw
     * @throws ResultTooLargeException if there are more rows than {@link AsyncJdbcBuilder#maxRows(int)}
     * @throws NullPointerException    naming the argument that is null
     * @throws IllegalArgumentException if {@code sql} is blank
     * @throws IllegalStateException   if used off the body's thread or after the body returned
     */
    public <T> List<T> query(String sql, List<?> params, RowMapper<T> mapper) throws SQLException {
        Statements.checkSql(sql);
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(mapper, "mapper");
        checkUsable();
        return Statements.query(connection, sql, params, mapper, maxRows);
    }

    /**
     * Runs an update in this transaction, as {@link AsyncJdbc#update} does.
     *
     * @return the update count
     * @throws SQLException            what the driver threw
     * @throws NullPointerException    naming the argument that is null
     * @throws IllegalArgumentException if {@code sql} is blank
     * @throws IllegalStateException   if used off the body's thread or after the body returned
     */
    public int update(String sql, List<?> params) throws SQLException {
        Statements.checkSql(sql);
        Objects.requireNonNull(params, "params");
        checkUsable();
        return Statements.update(connection, sql, params);
    }

    /**
     * The transaction's connection, for what the two methods above do not cover (batches, stored
     * procedures, savepoints). Do not commit, roll back, close it or change its auto-commit: the
     * transaction does that when the body ends.
     *
     * @throws IllegalStateException if used off the body's thread or after the body returned
     */
    public Connection connection() {
        checkUsable();
        return connection;
    }

    /** Called by the transaction's runner when the body has returned or thrown. */
    void end() {
        ended = true;
    }

    private void checkUsable() {
        // Ended first: after the body, a later task may run on the same (reused) thread, and "ended" is
        // then the true reason. Another thread that has not seen the end is stopped by the owner check.
        if (ended) {
            throw new IllegalStateException("the transaction has ended: its body already returned");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a Transaction is used only on the thread running its body (" + owner
                    + "), not on " + Thread.currentThread());
        }
    }

    @Override
    public String toString() {
        return "Transaction[" + connection + (ended ? ", ended]" : "]");
    }
}
