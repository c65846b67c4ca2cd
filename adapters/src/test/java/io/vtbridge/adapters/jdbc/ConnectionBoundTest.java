package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static io.vtbridge.adapters.jdbc.JdbcTesting.failure;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@code maxConnections} bound: waiting suspended, in order, the typed timeout, withdrawal on cancel. */
@Timeout(60)
class ConnectionBoundTest {

    @TestBridge(shards = 2)
    Bridge bridge;

    private String url;
    private JdbcConnectionPool pool;
    private CountingDataSource ds;

    @BeforeEach
    void setUp() throws SQLException {
        url = H2.url("bound", "");
        pool = H2.h2Pool(url, 10);
        ds = new CountingDataSource(pool);
        H2.exec(pool, "create table t(id int primary key)");
    }

    @AfterEach
    void tearDown() throws SQLException {
        pool.dispose();
        H2.shutdown(url);
    }

    /** A transaction that holds its connection until {@code release} opens. */
    private static CompletableFuture<String> holder(AsyncJdbc jdbc, CountDownLatch release) {
        return jdbc.inTransaction(tx -> {
            release.await();
            return "held";
        });
    }

    @Test
    void aCallThatWaitsLongerThanTheTimeoutFailsWithTheBoundAndTheTimeoutNamed() throws Exception {
        try (AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).name("tiny").maxConnections(1)
                .acquireTimeout(Duration.ofMillis(100)).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> held = holder(jdbc, release);
            Await.until("the holder has the permit", () -> jdbc.connectionsInUse() == 1);
            Throwable failure = failure(jdbc.update("insert into t values (1)", List.of()));
            assertThat(failure).isInstanceOf(ConnectionAcquireTimeoutException.class)
                    .isInstanceOf(SQLTransientConnectionException.class)
                    .hasMessage("tiny: no connection within acquireTimeout 100 ms: all 1 connections allowed "
                            + "(maxConnections=1) stayed in use");
            ConnectionAcquireTimeoutException timeout = (ConnectionAcquireTimeoutException) failure;
            assertThat(timeout.maxConnections()).isEqualTo(1);
            assertThat(timeout.acquireTimeout()).isEqualTo(Duration.ofMillis(100));
            assertThat(ds.handedOut()).as("the timed-out call never asked the pool").isEqualTo(1);
            assertThat(jdbc.waiting()).isZero();
            release.countDown();
            assertThat(Await.result(held)).isEqualTo("held");
            assertThat(Await.result(jdbc.update("insert into t values (1)", List.of()))).isEqualTo(1);
        }
    }

    @Test
    void waitersHoldNoConnectionAndAreServedInArrivalOrder() throws Exception {
        try (AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).maxConnections(1).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> held = holder(jdbc, release);
            Await.until("the holder has the permit", () -> jdbc.connectionsInUse() == 1);
            List<Integer> order = new CopyOnWriteArrayList<>();
            List<CompletableFuture<Integer>> waiters = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                waiters.add(jdbc.inTransaction(tx -> {
                    order.add(n);
                    return tx.update("insert into t values (?)", List.of(n));
                }));
                Await.until("waiter " + n + " queued", () -> jdbc.waiting() == n + 1);
            }
            assertThat(ds.held()).as("waiters hold no connection and wait outside the pool").isEqualTo(1);
            release.countDown();
            for (CompletableFuture<Integer> w : waiters) {
                assertThat(Await.result(w)).isEqualTo(1);
            }
            Await.result(held);
            assertThat(order).containsExactly(0, 1, 2, 3, 4);
            assertThat(ds.maxHeld()).isEqualTo(1);
        }
    }

    @Test
    void aCancelledWaiterWithdrawsAndThePermitCountStaysRight() throws Exception {
        try (AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).maxConnections(2).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> a = holder(jdbc, release);
            CompletableFuture<String> b = holder(jdbc, release);
            Await.until("both permits taken", () -> jdbc.connectionsInUse() == 2);
            CompletableFuture<Integer> waiter = jdbc.update("insert into t values (1)", List.of());
            Await.until("the waiter queued", () -> jdbc.waiting() == 1);
            assertThat(waiter.cancel(true)).isTrue();
            Await.until("the waiter withdrew", () -> jdbc.waiting() == 0);
            release.countDown();
            Await.result(a);
            Await.result(b);
            Await.until("both permits back", () -> jdbc.connectionsInUse() == 0);
            // Both permits are there again: two holders at once, a third waits.
            CountDownLatch again = new CountDownLatch(1);
            CompletableFuture<String> c = holder(jdbc, again);
            CompletableFuture<String> d = holder(jdbc, again);
            Await.until("two permits taken again", () -> jdbc.connectionsInUse() == 2);
            again.countDown();
            Await.result(c);
            Await.result(d);
            assertThat(H2.scalar(pool, "select count(*) from t")).as("the cancelled call never ran").isZero();
        }
    }

    @Test
    void theTimeoutMessageUsesReadableUnits() {
        assertThat(ConnectionAcquireTimeoutException.describe(Duration.ofNanos(250_000))).isEqualTo("250 us");
        assertThat(ConnectionAcquireTimeoutException.describe(Duration.ofMillis(5))).isEqualTo("5 ms");
        assertThat(ConnectionAcquireTimeoutException.describe(Duration.ofSeconds(30))).isEqualTo("30 s");
    }
}
