package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.Mode;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Configures an {@link AsyncJdbc}: {@code AsyncJdbc.builder(dataSource, bridge).maxConnections(10)
 * .acquireTimeout(Duration.ofSeconds(5)).build()}. Each setter checks its value at once and throws
 * an exception naming it.
 *
 * <p><b>Threading:</b> not thread-safe; build on one thread. The built {@link AsyncJdbc} is.
 */
public final class AsyncJdbcBuilder {

    /** The largest {@link #maxConnections(int)}: far above any real pool, far below the gate's arithmetic. */
    public static final int MAX_CONNECTIONS_LIMIT = 1 << 20;

    private static final AtomicInteger IDS = new AtomicInteger();

    final DataSource dataSource;
    final Bridge bridge;
    int maxConnections = 10;
    Duration acquireTimeout = Duration.ofSeconds(30);
    int fetchSize = 500;
    int maxRows = 100_000;
    Mode mode = Mode.ASYNC;
    String name;

    AsyncJdbcBuilder(DataSource dataSource, Bridge bridge) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.bridge = Objects.requireNonNull(bridge, "bridge");
    }

    /**
     * How many connections the {@link AsyncJdbc} holds at once (default 10): calls beyond it wait for
     * a permit, suspended, before they ask the {@code DataSource}. Keep it at or below the pool's own
     * maximum, so that no call waits inside the pool.
     *
     * @throws IllegalArgumentException if not between 1 and {@link #MAX_CONNECTIONS_LIMIT}
     */
    public AsyncJdbcBuilder maxConnections(int maxConnections) {
        if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS_LIMIT) {
            throw new IllegalArgumentException("maxConnections must be between 1 and " + MAX_CONNECTIONS_LIMIT
                    + ", was " + maxConnections);
        }
        this.maxConnections = maxConnections;
        return this;
    }

    /**
     * How long a call waits for a connection permit (default 30 s) before it fails with
     * {@link ConnectionAcquireTimeoutException}. The wait for the pool itself, once the call has its
     * permit, is the pool's business (its own timeout).
     *
     * @throws NullPointerException     if {@code acquireTimeout} is null
     * @throws IllegalArgumentException if it is zero or negative
     */
    public AsyncJdbcBuilder acquireTimeout(Duration acquireTimeout) {
        Objects.requireNonNull(acquireTimeout, "acquireTimeout");
        if (acquireTimeout.isNegative() || acquireTimeout.isZero()) {
            throw new IllegalArgumentException("acquireTimeout must be positive, was " + acquireTimeout);
        }
        this.acquireTimeout = acquireTimeout;
        return this;
    }

    /**
     * The fetch size of a stream's statement (default 500): how many rows the driver may fetch from
     * the database in one round trip, its buffer. Queries ({@link AsyncJdbc#query}) keep the driver's
     * default.
     *
     * @throws IllegalArgumentException if not positive
     */
    public AsyncJdbcBuilder fetchSize(int fetchSize) {
        if (fetchSize < 1) {
            throw new IllegalArgumentException("fetchSize must be positive, was " + fetchSize);
        }
        this.fetchSize = fetchSize;
        return this;
    }

    /**
     * The most rows a {@link AsyncJdbc#query} (or {@link Transaction#query}) collects (default
     * 100,000); one more fails it with {@link ResultTooLargeException}. Streams are not bounded by
     * it: they hold only what was requested.
     *
     * @throws IllegalArgumentException if not positive
     */
    public AsyncJdbcBuilder maxRows(int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be positive, was " + maxRows);
        }
        this.maxRows = maxRows;
        return this;
    }

    /**
     * Where calls run (default {@link Mode#ASYNC}, on bridged virtual threads). {@link Mode#SYNC}
     * runs every call on a platform thread of the bridge's blocking pool, for a driver that blocks
     * its carrier (native code, a file-based embedded database); the keyed variants then ignore
     * their key. A call there holds its pool thread from its start, its wait for a permit included
     * (at most {@code acquireTimeout}); a stream's producer is submitted at the stream's first
     * request and then holds a pool thread until the stream ends. Size the blocking pool for
     * {@code maxConnections} plus the calls that may wait for a permit. See the package
     * documentation, "Drivers".
     *
     * @throws NullPointerException if {@code mode} is null
     */
    public AsyncJdbcBuilder mode(Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * The name in error messages and {@code toString()} (default {@code async-jdbc-N}).
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if it is blank
     */
    public AsyncJdbcBuilder name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was \"" + name + "\"");
        }
        this.name = name;
        return this;
    }

    /** A new {@link AsyncJdbc} with these settings; the builder may be reused. */
    public AsyncJdbc build() {
        return new AsyncJdbc(this, name != null ? name : "async-jdbc-" + IDS.incrementAndGet());
    }
}
