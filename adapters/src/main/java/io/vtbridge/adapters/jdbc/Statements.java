package io.vtbridge.adapters.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The synchronous JDBC work every call shares: argument checks, parameter binding, running a query
 * into a bounded list and an update, on a connection the caller owns. Exceptions of the driver and
 * of the row mapper pass through unchanged.
 *
 * <p><b>Threading:</b> static helpers; each use stays on the thread that owns the connection.
 */
final class Statements {

    private Statements() {
    }

    /**
     * Checks {@code sql}.
     *
     * @throws NullPointerException     naming {@code sql} if it is null
     * @throws IllegalArgumentException if it is blank
     */
    static String checkSql(String sql) {
        Objects.requireNonNull(sql, "sql");
        if (sql.isBlank()) {
            throw new IllegalArgumentException("sql must not be blank, was \"" + sql + "\"");
        }
        return sql;
    }

    /**
     * A copy of {@code params} (the call runs later, on another thread, and the caller may reuse its
     * list); elements may be null (bound as SQL NULL).
     *
     * @throws NullPointerException naming {@code params} if it is null
     */
    static List<Object> copyParams(List<?> params) {
        Objects.requireNonNull(params, "params");
        return Arrays.asList(params.toArray());
    }

    /** Binds {@code params} in order: {@code setObject(i + 1, params.get(i))}. */
    static void bind(PreparedStatement statement, List<?> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            statement.setObject(i + 1, params.get(i));
        }
    }

    /**
     * Runs a query and maps every row.
     *
     * @throws ResultTooLargeException if there are more than {@code maxRows} rows
     */
    static <T> List<T> query(Connection connection, String sql, List<?> params, RowMapper<T> mapper, int maxRows)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            try (ResultSet rows = statement.executeQuery()) {
                List<T> result = new ArrayList<>();
                while (rows.next()) {
                    if (result.size() == maxRows) {
                        throw new ResultTooLargeException(sql, maxRows);
                    }
                    result.add(mapper.map(rows));
                }
                return result;
            }
        }
    }

    /** Runs an update (or any statement without a result set) and returns its update count. */
    static int update(Connection connection, String sql, List<?> params) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            return statement.executeUpdate();
        }
    }
}
