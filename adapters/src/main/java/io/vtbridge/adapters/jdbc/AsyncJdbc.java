package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.Mode;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * JDBC for asynchronous callers, over any {@link DataSource} (HikariCP, H2's
 * {@code JdbcConnectionPool}, a driver's own): every call runs the ordinary blocking JDBC code as a
 * bridged task ({@link Bridge#submit}) and returns a {@link CompletableFuture}; large results stream
 * as a {@link Flow.Publisher} with backpressure.
 *
 * <pre>{@code
 * AsyncJdbc jdbc = AsyncJdbc.builder(dataSource, bridge).maxConnections(10).acquireTimeout(Duration.ofSeconds(5)).build();
 * CompletableFuture<Integer> n = jdbc.update("insert into person(id, name) values (?, ?)", List.of(1, "Ada"));
 * CompletableFuture<List<String>> names = jdbc.query("select name from person where id > ?", List.of(0), r -> r.getString(1));
 * CompletableFuture<Integer> moved = jdbc.inTransaction(tx -> tx.update("...", List.of()) + tx.update("...", List.of()));
 * }</pre>
 *
 * <h2>The bound</h2>
 * At most {@code maxConnections} calls hold a connection at once. A call beyond it waits for a permit
 * of a {@link io.vtbridge.BridgeSemaphore} before it asks the pool: its virtual thread unmounts, so a
 * thousand waiting callers hold no thread, and permits go to waiters in arrival order. A call that
 * waits longer than {@code acquireTimeout} fails with {@link ConnectionAcquireTimeoutException}
 * (nothing ran). This is not a pool: connections come from the {@code DataSource} and go back to it
 * ({@code close()}) at the end of every call; the pool's own maximum should be at least
 * {@code maxConnections}, or calls that have a permit still wait inside the pool.
 *
 * <h2>Where calls run</h2>
 * A keyed call ({@code query(key, ...)} and the like) runs on the shard that owns the key. An
 * unkeyed call made from a bridged thread of the same bridge (a follow-up in a {@code thenCompose}
 * chain, a call inside bridged code) runs on that thread's shard: the call, its completion and the
 * caller's next step stay on one loop, with no wake-up of another. Any other unkeyed call runs on
 * the less loaded of two shards picked at random. To spread a fan-out from one bridged thread over
 * the shards, give the calls keys. In {@link io.vtbridge.Mode#SYNC} every call runs on the bridge's
 * blocking pool, and a stream's producer is submitted there only at its first request.
 *
 * <h2>Failures</h2>
 * A call's future fails with the very exception its work threw: the driver's {@link SQLException},
 * the row mapper's or the transaction body's exception, never wrapped ({@code join()} wraps it once
 * in a {@link java.util.concurrent.CompletionException}, as for any future). One call's failure
 * touches no other call. Bad arguments (null or blank SQL, null params, mapper or body) throw at
 * once, naming the argument. A call refused because the bridge is overloaded or closed fails with
 * the bridge's {@link java.util.concurrent.RejectedExecutionException}.
 *
 * <h2>Closing</h2>
 * {@link #close()} refuses new calls (their futures fail with {@link AsyncJdbcClosedException}),
 * fails the calls still waiting for a permit with the same exception, ends open streams
 * ({@code onError}, same exception), and returns without waiting for statements and transactions
 * already running: those finish normally on their bridged threads and return their connections.
 * {@link #terminated()} completes when the last of them has. It creates no thread of its own, and
 * does not close the {@code DataSource} or the bridge.
 *
 * <p><b>Threading:</b> thread-safe: every method may be called from any thread, concurrently,
 * including {@link #close()} from a bridged thread (it does not wait). A call's row mapper and
 * transaction body run on the call's bridged thread; the {@link Transaction} handle is confined to
 * it.
 */
public final class AsyncJdbc implements AutoCloseable {

    private final String name;
    private final DataSource dataSource;
    private final int maxConnections;
    private final Duration acquireTimeout;
    private final long acquireTimeoutNanos;
    private final int fetchSize;
    private final int maxRows;
    private final Placement placement;
    private final boolean startsStreamsOnRequest; // Mode.SYNC: a stream's producer is submitted at its first request, not at subscription
    private final ConnectionGate gate;
    private final OpenStreams streams = new OpenStreams();

    AsyncJdbc(AsyncJdbcBuilder b, String name) {
        this.name = name;
        this.dataSource = b.dataSource;
        this.maxConnections = b.maxConnections;
        this.acquireTimeout = b.acquireTimeout;
        this.acquireTimeoutNanos = saturatedNanos(b.acquireTimeout);
        this.fetchSize = b.fetchSize;
        this.maxRows = b.maxRows;
        this.placement = new Placement(b.bridge, b.mode);
        this.startsStreamsOnRequest = b.mode == Mode.SYNC;
        this.gate = new ConnectionGate(b.maxConnections);
    }

    /**
     * A builder for an {@link AsyncJdbc} over {@code dataSource} whose calls run on {@code bridge}.
     *
     * @throws NullPointerException naming the argument that is null
     */
    public static AsyncJdbcBuilder builder(DataSource dataSource, Bridge bridge) {
        return new AsyncJdbcBuilder(dataSource, bridge);
    }

    // ---- calls ----------------------------------------------------------------------------------

    /**
     * Runs a query and maps every row. Unkeyed calls made from a bridged thread of the same bridge
     * run on that thread's shard; others on a lightly loaded shard (see the class comment, "Where
     * calls run").
     *
     * @param sql    the statement, with {@code ?} placeholders
     * @param params the values of the placeholders, in order ({@code setObject}); copied, so the
     *               caller may reuse the list; null elements bind SQL NULL
     * @param mapper called once per row on the call's bridged thread
     * @return the rows' values in the result's order; failed with what the driver or the mapper
     *         threw, {@link ResultTooLargeException} beyond {@code maxRows},
     *         {@link ConnectionAcquireTimeoutException}, or {@link AsyncJdbcClosedException}
     * @throws NullPointerException     naming the argument that is null
     * @throws IllegalArgumentException if {@code sql} is blank
     */
    public <T> CompletableFuture<List<T>> query(String sql, List<?> params, RowMapper<T> mapper) {
        return queryOn(null, sql, params, mapper);
    }

    /**
     * {@link #query(String, List, RowMapper)} on the shard that owns {@code key}
     * ({@link Bridge#submit(Object, Callable)}): calls with the same key run on the same shard.
     *
     * @throws NullPointerException naming the argument that is null
     */
    public <T> CompletableFuture<List<T>> query(Object key, String sql, List<?> params, RowMapper<T> mapper) {
        return queryOn(Objects.requireNonNull(key, "key"), sql, params, mapper);
    }

    /**
     * Runs an update (INSERT, UPDATE, DELETE, MERGE, DDL) with auto-commit as the pool hands it out;
     * placed as {@link #query(String, List, RowMapper)} is.
     *
     * @param sql    the statement, with {@code ?} placeholders
     * @param params the values of the placeholders, in order; copied; null elements bind SQL NULL
     * @return the update count; failed as for {@link #query(String, List, RowMapper)}
     * @throws NullPointerException     naming the argument that is null
     * @throws IllegalArgumentException if {@code sql} is blank
     */
    public CompletableFuture<Integer> update(String sql, List<?> params) {
        return updateOn(null, sql, params);
    }

    /**
     * {@link #update(String, List)} on the shard that owns {@code key}.
     *
     * @throws NullPointerException naming the argument that is null
     */
    public CompletableFuture<Integer> update(Object key, String sql, List<?> params) {
        return updateOn(Objects.requireNonNull(key, "key"), sql, params);
    }

    /**
     * Runs {@code body} in one transaction on one connection (placed as
     * {@link #query(String, List, RowMapper)} is): auto-commit off, then
     * commit when the body returns, or roll back when it (or the commit) throws. Auto-commit is
     * restored before the connection goes back to the pool.
     *
     * @param body synchronous JDBC work through the {@link Transaction} it is given; runs on the
     *             call's bridged thread
     * @return the body's value once committed; failed with the very exception the body (or the
     *         commit) threw, with a failed rollback added to it as suppressed
     * @throws NullPointerException if {@code body} is null
     */
    public <T> CompletableFuture<T> inTransaction(TransactionBody<T> body) {
        return transactionOn(null, body);
    }

    /**
     * {@link #inTransaction(TransactionBody)} on the shard that owns {@code key}.
     *
     * @throws NullPointerException naming the argument that is null
     */
    public <T> CompletableFuture<T> inTransaction(Object key, TransactionBody<T> body) {
        return transactionOn(Objects.requireNonNull(key, "key"), body);
    }

    /**
     * A query's rows as a cold {@link Flow.Publisher} with backpressure, for results too large to
     * hold: each subscription runs the query on a bridged producer that reads a row only when the
     * subscriber has requested it, so at most the requested rows exist at once (plus the driver's
     * fetch buffer, {@link AsyncJdbcBuilder#fetchSize(int)}). The producer takes its permit and
     * connection at the first request and holds them, parked while the demand is zero, until the
     * rows run out, a failure, {@code cancel()}, or {@link #close()}; it reads in a transaction of its
     * own (committed at the end, rolled back otherwise). In {@link Mode#SYNC} the producer is
     * submitted to the blocking pool only at the first request (or cancel, or close), so a
     * subscription that has not requested yet holds no thread. {@code onNext} runs on the producer's
     * thread. The subscriber gets exactly one of {@code onComplete} or {@code onError} (with the
     * original exception), after the connection went back to the pool, unless it cancels (then
     * nothing more, except at most one signal already under way when the cancel came from another
     * thread) or one of its methods throws (then nothing more; the throwable goes to the calling
     * thread's uncaught-exception handler).
     *
     * @param sql    the query, with {@code ?} placeholders
     * @param params the values of the placeholders, in order; copied; null elements bind SQL NULL
     * @param mapper called once per delivered row on the producer's thread; must not return null
     * @throws NullPointerException     naming the argument that is null
     * @throws IllegalArgumentException if {@code sql} is blank
     */
    public <T> Flow.Publisher<T> stream(String sql, List<?> params, RowMapper<T> mapper) {
        return streamOn(null, sql, params, mapper);
    }

    /**
     * {@link #stream(String, List, RowMapper)} with each producer on the shard that owns {@code key}.
     *
     * @throws NullPointerException naming the argument that is null
     */
    public <T> Flow.Publisher<T> stream(Object key, String sql, List<?> params, RowMapper<T> mapper) {
        return streamOn(Objects.requireNonNull(key, "key"), sql, params, mapper);
    }

    private <T> CompletableFuture<List<T>> queryOn(Object key, String sql, List<?> params, RowMapper<T> mapper) {
        Statements.checkSql(sql);
        List<Object> values = Statements.copyParams(params);
        Objects.requireNonNull(mapper, "mapper");
        return call(key, "query", c -> Statements.query(c, sql, values, mapper, maxRows));
    }

    private CompletableFuture<Integer> updateOn(Object key, String sql, List<?> params) {
        Statements.checkSql(sql);
        List<Object> values = Statements.copyParams(params);
        return call(key, "update", c -> Statements.update(c, sql, values));
    }

    private <T> CompletableFuture<T> transactionOn(Object key, TransactionBody<T> body) {
        Objects.requireNonNull(body, "body");
        return call(key, "transaction", c -> LocalTransaction.run(c, body, maxRows));
    }

    private <T> Flow.Publisher<T> streamOn(Object key, String sql, List<?> params, RowMapper<T> mapper) {
        Statements.checkSql(sql);
        List<Object> values = Statements.copyParams(params);
        Objects.requireNonNull(mapper, "mapper");
        return new RowPublisher<>(this, key, sql, values, mapper);
    }

    /** Work on a connection the call owns for its length. */
    private interface ConnectionWork<T> {
        T run(Connection connection) throws Exception;
    }

    private <T> CompletableFuture<T> call(Object key, String what, ConnectionWork<T> work) {
        if (gate.isClosed()) {
            return CompletableFuture.failedFuture(closedError(what + " refused"));
        }
        return submit(key, () -> {
            enter();
            try (Connection connection = dataSource.getConnection()) {
                return work.run(connection);
            } finally {
                exit(); // after the connection went back to the pool
            }
        });
    }

    // ---- for the streams ------------------------------------------------------------------------

    /**
     * Whether a stream submits its producer only at its first request or signal ({@link DeferredStart}):
     * in {@link Mode#SYNC}, where a waiting producer would hold a thread of the blocking pool.
     */
    boolean startsStreamsOnRequest() {
        return startsStreamsOnRequest;
    }

    /** Submits {@code task} where {@link Placement} says, for {@code key} (null: unkeyed). */
    <T> CompletableFuture<T> submit(Object key, Callable<T> task) {
        return placement.submit(key, task);
    }

    /**
     * Takes a connection permit, waiting up to {@code acquireTimeout}; the caller must {@link #exit()}.
     *
     * @throws ConnectionAcquireTimeoutException if none came within the timeout
     * @throws AsyncJdbcClosedException          if this instance is (or got) closed
     * @throws InterruptedException              if the thread was interrupted while waiting
     */
    void enter() throws SQLException, InterruptedException {
        switch (gate.tryEnter(acquireTimeoutNanos)) {
            case ConnectionGate.ENTERED -> {
            }
            case ConnectionGate.TIMED_OUT -> throw new ConnectionAcquireTimeoutException(name, maxConnections, acquireTimeout);
            default -> throw closedError("refused before it took a connection");
        }
    }

    /** Gives back the permit of an {@link #enter()}. */
    void exit() {
        gate.exit();
    }

    DataSource dataSource() {
        return dataSource;
    }

    int fetchSize() {
        return fetchSize;
    }

    OpenStreams streams() {
        return streams;
    }

    AsyncJdbcClosedException closedError(String what) {
        return new AsyncJdbcClosedException(name + " is closed: " + what);
    }

    // ---- figures and lifecycle ------------------------------------------------------------------

    /** This instance's name. */
    public String name() {
        return name;
    }

    /** The bound on connections held at once. */
    public int maxConnections() {
        return maxConnections;
    }

    /** How long a call waits for a connection permit. */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /**
     * Connection permits taken now: calls (and streams) holding one, and waiters a released permit
     * has been handed to whose threads have not run yet (permits go to the longest waiter, FIFO, and
     * its thread may wait for its shard before it asks the pool for the connection). A snapshot, at
     * most {@link #maxConnections()}.
     */
    public int connectionsInUse() {
        return gate.granted();
    }

    /**
     * Calls waiting for a connection permit now: a snapshot. In {@link Mode#SYNC}, calls still queued
     * for a thread of the bridge's blocking pool have not reached the permit yet and are not counted
     * (the pool's {@code PoolStats} shows them).
     */
    public int waiting() {
        return gate.waiting();
    }

    /** Streams subscribed and not ended now: a snapshot. */
    public int openStreams() {
        return streams.size();
    }

    /**
     * Refuses new calls, fails the calls waiting for a permit and ends open streams, all with
     * {@link AsyncJdbcClosedException}; returns without waiting for running statements (see the
     * class comment, "Closing"). Idempotent.
     */
    @Override
    public void close() {
        if (gate.close()) {
            streams.closeAll();
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return gate.isClosed();
    }

    /**
     * A future that completes once this instance is closed and no call holds a connection any more:
     * then every connection it took is back in the {@code DataSource}, and closing the pool is safe.
     * Each call returns a new dependent future.
     */
    public CompletableFuture<Void> terminated() {
        return gate.terminated().copy();
    }

    @Override
    public String toString() {
        return "AsyncJdbc[" + name + ", connections " + connectionsInUse() + "/" + maxConnections + ", waiting "
                + waiting() + (isClosed() ? ", closed]" : "]");
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
