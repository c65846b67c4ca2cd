/**
 * JDBC for asynchronous callers: {@link io.vtbridge.adapters.jdbc.AsyncJdbc} runs ordinary blocking
 * JDBC calls over any {@link javax.sql.DataSource} as bridged tasks and returns
 * {@link java.util.concurrent.CompletableFuture}s, or streams a large result as a
 * {@link java.util.concurrent.Flow.Publisher} with backpressure. Guide: {@code docs/JDBC.md}.
 *
 * <ul>
 *   <li>{@link io.vtbridge.adapters.jdbc.AsyncJdbc} and its
 *       {@link io.vtbridge.adapters.jdbc.AsyncJdbcBuilder}: queries, updates, transactions, streams,
 *       the connection bound, closing;</li>
 *   <li>{@link io.vtbridge.adapters.jdbc.RowMapper}, {@link io.vtbridge.adapters.jdbc.TransactionBody}
 *       and {@link io.vtbridge.adapters.jdbc.Transaction}: what callers pass in and get;</li>
 *   <li>{@link io.vtbridge.adapters.jdbc.ConnectionAcquireTimeoutException},
 *       {@link io.vtbridge.adapters.jdbc.AsyncJdbcClosedException},
 *       {@link io.vtbridge.adapters.jdbc.ResultTooLargeException}: the failures it adds to the
 *       driver's own.</li>
 * </ul>
 *
 * <h2>How a call runs</h2>
 * A call is one bridged task: it waits (suspended) for one of {@code maxConnections} permits of a
 * {@link io.vtbridge.BridgeSemaphore} (package-private {@code ConnectionGate}), takes a connection
 * from the {@code DataSource}, runs its statement(s), closes the connection (back to the pool),
 * releases the permit, and completes its future with the result or the original exception. Streams
 * do the same on a producer task that parks while there is no demand (package-private
 * {@code RowStream} and {@code Demand}; in {@code Mode.SYNC} the producer is submitted at the first
 * request, {@code DeferredStart}). Nothing here pools connections; the pool is the user's.
 *
 * <h2>Drivers</h2>
 * A call's thread is a virtual thread of a shard ({@link io.vtbridge.Mode#ASYNC}). A pure-Java driver
 * that talks to its server through {@code java.net} sockets (the usual type-4 driver) unmounts while
 * it waits for the network: that is what makes the bridge worthwhile. On JDK 21 to 23 a driver that
 * waits for the network inside {@code synchronized} pins its carrier, and so holds the shard (JDK 24
 * and later no longer pin there). A driver that blocks in native code (a type-2 driver, a JNI
 * binding) or an embedded database that does file I/O holds the shard for every such wait: run it
 * with {@link io.vtbridge.adapters.jdbc.AsyncJdbcBuilder#mode(io.vtbridge.Mode) mode(Mode.SYNC)},
 * on the bridge's blocking pool. An in-memory embedded database (H2 {@code mem:}) does no I/O: its
 * calls are CPU work on the shard.
 *
 * <h2>Access modes</h2>
 * The shared state here lives in {@code java.util.concurrent.atomic} objects and {@code volatile}
 * fields, all read and written with volatile (sequentially consistent) semantics; the three
 * hand-offs that depend on it, the gate's close, the stream's wake-up and (in {@code Mode.SYNC}) the
 * stream's start at its first request, are explained where they stand and checked by jcstress
 * ({@code ConnectionGateTest}, {@code DemandTest}, {@code DeferredStartTest}).
 */
package io.vtbridge.adapters.jdbc;
