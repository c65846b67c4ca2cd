package io.vtbridge.bench.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The database every mode of {@link JdbcHarness} calls: an in-memory H2 database behind one
 * HikariCP pool, a table of {@code keys} rows, and the two statements of an operation (a point
 * {@code SELECT} and a point {@code UPDATE}, alternating), with the synchronous JDBC code the
 * executor modes run. {@code AsyncJdbc} runs the same SQL with the same parameters. With
 * {@code --latency-us}, every statement first sleeps that long ({@link StatementDelay}), as a remote
 * database's round trip would, in every mode.
 *
 * <p><b>Threading:</b> {@link #call} from any number of threads at once (the pool is thread-safe);
 * {@link #close} once, by the harness's main thread, after every round.
 */
final class JdbcWorkload implements AutoCloseable {

    static final String SELECT = "select v from kv where k = ?";
    static final String UPDATE = "update kv set v = v + 1 where k = ?";

    private final HikariDataSource pool;
    private final DataSource dataSource; // the pool, or the pool behind a statement delay
    private final int keys;

    JdbcWorkload(int connections, int keys, long latencyMicros) throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:jdbc-harness;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=60000");
        config.setMaximumPoolSize(connections);
        config.setMinimumIdle(connections);
        config.setPoolName("jdbc-harness");
        this.pool = new HikariDataSource(config);
        this.keys = keys;
        this.dataSource = latencyMicros > 0 ? StatementDelay.around(pool, Duration.ofNanos(latencyMicros * 1_000)) : pool;
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("create table if not exists kv(k int primary key, v int not null)");
            s.execute("merge into kv key(k) select x, 0 from system_range(0, " + (keys - 1) + ")");
        }
    }

    /** What every mode takes its connections from: the pool (behind the statement delay, if any). */
    DataSource dataSource() {
        return dataSource;
    }

    /** The key of a caller's {@code op}-th operation: spread over the table. */
    int key(int caller, long op) {
        return (int) ((caller * 7_919L + op * 31L) % keys);
    }

    /** Whether a caller's {@code op}-th operation is the UPDATE (odd) or the SELECT (even). */
    static boolean isUpdate(long op) {
        return (op & 1) == 1;
    }

    /** One operation with plain JDBC on the calling thread: a connection from the pool, one statement, back. */
    int call(int caller, long op) throws SQLException {
        int key = key(caller, op);
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(isUpdate(op) ? UPDATE : SELECT)) {
            s.setInt(1, key);
            if (isUpdate(op)) {
                return s.executeUpdate();
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getInt(1) : -1;
            }
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table kv");
        }
        pool.close();
    }
}
