package io.vtbridge.adapters.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.h2.jdbcx.JdbcConnectionPool;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-memory H2 databases for the tests, each with a name of its own (so tests never share one), and
 * the pools users run over them: H2's {@link JdbcConnectionPool} and HikariCP.
 *
 * <p><b>Threading:</b> static helpers; the synchronous ones run on the calling thread.
 */
final class H2 {

    private static final AtomicInteger IDS = new AtomicInteger();

    private H2() {
    }

    /** A fresh database's URL; {@code options} are appended (e.g. {@code ";LAZY_QUERY_EXECUTION=TRUE"}). */
    static String url(String name, String options) {
        return "jdbc:h2:mem:" + name + "-" + IDS.incrementAndGet() + ";DB_CLOSE_DELAY=-1" + options;
    }

    /** An unpooled data source: a new connection per {@code getConnection}. */
    static DataSource unpooled(String url) {
        return new DriverDataSource(url);
    }

    /** H2's {@code JdbcConnectionPool} with at most {@code max} connections. */
    static JdbcConnectionPool h2Pool(String url, int max) {
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        pool.setMaxConnections(max);
        return pool;
    }

    /** A HikariCP pool with {@code maximumPoolSize} {@code max}. */
    static HikariDataSource hikari(String url, int max) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(max);
        config.setPoolName("test-" + IDS.incrementAndGet());
        return new HikariDataSource(config);
    }

    /** Runs {@code statements} on one connection of {@code ds}, on this thread. */
    static void exec(DataSource ds, String... statements) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** The first column of the first row of {@code sql}, as a long, on this thread. */
    static long scalar(DataSource ds, String sql, Object... params) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new AssertionError("no row: " + sql);
                }
                return r.getLong(1);
            }
        }
    }

    /** Drops the database behind {@code url} (it lives until shut down: {@code DB_CLOSE_DELAY=-1}). */
    static void shutdown(String url) throws SQLException {
        exec(unpooled(url), "SHUTDOWN");
    }
}
