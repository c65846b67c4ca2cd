package io.vtbridge.adapters.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.vtbridge.adapters.jdbc.JdbcTesting.failure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thousand concurrent async callers over a pool of ten connections, with HikariCP and with H2's
 * {@code JdbcConnectionPool}: each caller writes its own rows in a transaction and reads them back;
 * some callers' statements fail. Nothing is lost, every caller gets exactly its rows, a failure
 * fails only its caller, at most ten connections are asked for at once (waiting inside the pool
 * counts), and the waiters hold no platform thread. Each statement first waits 1 ms
 * ({@link CountingDataSource#statementLatency}, a loop timer), as a remote database's round trip
 * would: so calls hold their connections across a suspension and the other callers really queue.
 */
@Timeout(180)
class AsyncJdbcLoadTest {

    private static final int CALLERS = 1_000;
    private static final int POOL_SIZE = 10;
    private static final int ROWS = 3;
    /** Platform threads the run may add to those alive before it: far below one per caller. */
    private static final int THREAD_HEADROOM = 16;

    /** Callers whose transaction ends with a bad statement: rolled back, the caller fails. */
    private static boolean failsInTransaction(int caller) {
        return caller % 100 == 42;
    }

    /** Callers that, after their transaction, insert a duplicate key: the caller fails, its rows stay. */
    private static boolean failsAfterwards(int caller) {
        return caller % 100 == 77;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hikari", "h2-pool"})
    void aThousandCallersOverTenConnections(String poolKind) throws Exception {
        String url = H2.url("load-" + poolKind, "");
        DataSource pool = poolKind.equals("hikari") ? H2.hikari(url, POOL_SIZE) : H2.h2Pool(url, POOL_SIZE);
        try {
            H2.exec(pool, "create table item(caller int, seq int, val varchar(40), primary key(caller, seq))");
            run(pool);
        } finally {
            if (pool instanceof HikariDataSource hikari) {
                hikari.close();
            } else {
                ((JdbcConnectionPool) pool).dispose();
            }
            H2.shutdown(url);
        }
    }

    private void run(DataSource pool) throws Exception {
        CountingDataSource ds = new CountingDataSource(pool);
        ds.statementLatency = Duration.ofMillis(1);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Bridge bridge = Bridge.builder().shards(2).maxInFlight(10_000).build();
             AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).maxConnections(POOL_SIZE)
                     .acquireTimeout(Duration.ofSeconds(60)).build()) {
            ds.waitingProbe = jdbc::waiting;
            // One call first: whatever a first call starts lazily (the pool's helpers) is started before we count.
            Await.result(jdbc.query("select count(*) from item", List.of(), row -> row.getInt(1)));
            int threadsBefore = threads.getThreadCount();
            threads.resetPeakThreadCount();

            List<Caller> callers = new ArrayList<>(CALLERS);
            for (int c = 0; c < CALLERS; c++) {
                callers.add(Caller.start(jdbc, c));
            }
            CompletableFuture.allOf(callers.stream().map(Caller::end).toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                    .get(120, TimeUnit.SECONDS); // a bound against a hang, not a timing assertion
            int peakThreads = threads.getPeakThreadCount();
            System.out.printf("%s: %d callers, connections asked for or held at once: max %d; waiting for a permit: max %d; "
                    + "platform threads before %d, peak %d%n", pool.getClass().getSimpleName(), CALLERS, ds.maxHeld(),
                    ds.maxWaiting(), threadsBefore, peakThreads);

            int failedInTx = 0;
            int expectedRows = 0;
            for (int c = 0; c < CALLERS; c++) {
                Caller caller = callers.get(c);
                if (failsInTransaction(c)) {
                    failedInTx++;
                    assertThat(failure(caller.written)).as("caller %d", c).isInstanceOf(SQLSyntaxErrorException.class)
                            .hasMessageContaining("NO_SUCH_TABLE");
                    assertThat(H2.scalar(pool, "select count(*) from item where caller = ?", c)).as("caller %d rolled back", c)
                            .isZero();
                } else if (failsAfterwards(c)) {
                    expectedRows += ROWS;
                    assertThat(failure(caller.duplicate)).as("caller %d", c)
                            .isInstanceOf(SQLIntegrityConstraintViolationException.class);
                    assertThat(caller.read.getNow(null)).as("caller %d kept its rows", c).hasSize(ROWS);
                } else {
                    expectedRows += ROWS;
                    assertThat(caller.read.getNow(null)).as("caller %d", c)
                            .containsExactly("caller " + c + " row 0", "caller " + c + " row 1", "caller " + c + " row 2");
                }
            }
            assertThat(failedInTx).isEqualTo(CALLERS / 100);
            assertThat(H2.scalar(pool, "select count(*) from item")).as("rows of all callers").isEqualTo(expectedRows);

            assertThat(ds.maxHeld()).as("connections asked for or held at once").isLessThanOrEqualTo(POOL_SIZE)
                    .isGreaterThan(1);
            assertThat(ds.maxWaiting()).as("callers waiting for a permit, seen at a getConnection").isGreaterThan(0);
            assertThat(peakThreads - threadsBefore).as("platform threads added at the peak (%d before)", threadsBefore)
                    .isLessThanOrEqualTo(THREAD_HEADROOM);
            Await.until("every connection back", () -> ds.held() == 0 && jdbc.connectionsInUse() == 0);
            assertThat(jdbc.waiting()).isZero();
        }
    }

    /**
     * One caller: its rows written in a transaction (on its key's shard), then (for some) a
     * duplicate insert, then its rows read back. Each step's future is kept, so that each failure is
     * seen as its call stored it (a dependent stage would wrap it).
     */
    private record Caller(CompletableFuture<Integer> written, CompletableFuture<Integer> duplicate,
                          CompletableFuture<List<String>> read) {

        static Caller start(AsyncJdbc jdbc, int c) {
            CompletableFuture<Integer> written = jdbc.inTransaction(c, tx -> {
                int n = 0;
                for (int seq = 0; seq < ROWS; seq++) {
                    n += tx.update("insert into item values (?, ?, ?)", List.of(c, seq, "caller " + c + " row " + seq));
                }
                if (failsInTransaction(c)) {
                    tx.update("insert into no_such_table values (1)", List.of());
                }
                return n;
            });
            CompletableFuture<Integer> duplicate = new CompletableFuture<>();
            CompletableFuture<List<String>> read = new CompletableFuture<>();
            written.whenComplete((n, e) -> {
                if (e != null) {
                    duplicate.cancel(false);
                    read.cancel(false);
                    return;
                }
                CompletableFuture<?> before = failsAfterwards(c)
                        ? relay(jdbc.update(c, "insert into item values (?, 0, 'duplicate')", List.of(c)), duplicate)
                        : CompletableFuture.completedFuture(null);
                before.whenComplete((x, ignored) -> relay(jdbc.query(c, "select val from item where caller = ? order by seq",
                        List.of(c), row -> row.getString(1)), read));
            });
            return new Caller(written, duplicate, read);
        }

        /** Completes {@code to} as {@code from} completes, with the same value or the same throwable. */
        private static <T> CompletableFuture<T> relay(CompletableFuture<T> from, CompletableFuture<T> to) {
            from.whenComplete((value, e) -> {
                if (e != null) {
                    to.completeExceptionally(e);
                } else {
                    to.complete(value);
                }
            });
            return from;
        }

        /** Completes when the caller's last step has. */
        CompletableFuture<?> end() {
            return read;
        }
    }
}
