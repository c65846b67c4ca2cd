package io.vtbridge.bench.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.adapters.jdbc.AsyncJdbc;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The ways {@link JdbcHarness} makes the same JDBC calls asynchronously: {@code AsyncJdbc} on a
 * bridge, and the plain JDBC code of {@link JdbcWorkload#call} submitted to
 * {@code newVirtualThreadPerTaskExecutor()} or to {@code newFixedThreadPool(fixedThreads)}. All use
 * the workload's one pool.
 *
 * <p><b>Threading:</b> a runner is started and closed by the harness's main thread; {@link
 * Runner#call} is called by the callers' completion callbacks, on whatever thread completed the
 * previous call.
 */
enum JdbcMode {
    ASYNC_JDBC("asyncjdbc"),
    VIRTUAL("virtual"),
    FIXED("fixed");

    final String name;

    JdbcMode(String name) {
        this.name = name;
    }

    static JdbcMode named(String name) {
        for (JdbcMode m : values()) {
            if (m.name.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--modes: unknown mode " + name + " (asyncjdbc, virtual, fixed)");
    }

    Runner start(JdbcHarness.Options o, JdbcWorkload workload) {
        return switch (this) {
            case ASYNC_JDBC -> new AsyncJdbcRunner(o, workload);
            case VIRTUAL -> new ExecutorRunner(Executors.newVirtualThreadPerTaskExecutor(), workload);
            case FIXED -> new ExecutorRunner(Executors.newFixedThreadPool(o.fixedThreads), workload);
        };
    }

    /** One run's way of making a call. */
    interface Runner extends AutoCloseable {

        /** A caller's {@code op}-th operation, asynchronously. */
        CompletableFuture<Integer> call(int caller, long op);

        @Override
        void close() throws InterruptedException;
    }

    /** {@code AsyncJdbc} with {@code maxConnections} = the pool's size, on a bridge of {@code shards} shards. */
    static final class AsyncJdbcRunner implements Runner {
        private final Bridge bridge;
        private final AsyncJdbc jdbc;
        private final JdbcWorkload workload;

        AsyncJdbcRunner(JdbcHarness.Options o, JdbcWorkload workload) {
            this.workload = workload;
            this.bridge = Bridge.builder().shards(o.shards).maxInFlight(100_000).name("jdbc-bench").build();
            this.jdbc = AsyncJdbc.builder(workload.dataSource(), bridge).maxConnections(o.connections).build();
        }

        @Override
        public CompletableFuture<Integer> call(int caller, long op) {
            List<Object> key = List.of(workload.key(caller, op));
            return JdbcWorkload.isUpdate(op)
                    ? jdbc.update(JdbcWorkload.UPDATE, key)
                    : jdbc.query(JdbcWorkload.SELECT, key, row -> row.getInt(1)).thenApply(rows -> rows.isEmpty() ? -1 : rows.get(0));
        }

        @Override
        public void close() {
            jdbc.close();
            bridge.close();
        }
    }

    /** The plain JDBC code on a JDK executor. */
    static final class ExecutorRunner implements Runner {
        private final ExecutorService executor;
        private final JdbcWorkload workload;

        ExecutorRunner(ExecutorService executor, JdbcWorkload workload) {
            this.executor = executor;
            this.workload = workload;
        }

        @Override
        public CompletableFuture<Integer> call(int caller, long op) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return workload.call(caller, op);
                } catch (java.sql.SQLException e) {
                    throw new CompletionException(e);
                }
            }, executor);
        }

        @Override
        public void close() throws InterruptedException {
            executor.shutdown();
            if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                executor.shutdownNow();
            }
        }
    }
}
