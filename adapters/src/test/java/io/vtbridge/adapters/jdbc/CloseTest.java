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
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

import static io.vtbridge.adapters.jdbc.JdbcTesting.failure;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link AsyncJdbc#close()}: refuses, fails the waiters, ends the streams, lets running calls finish, leaks nothing. */
@Timeout(60)
class CloseTest {

    @TestBridge(shards = 2)
    Bridge bridge;

    private String url;
    private JdbcConnectionPool pool;
    private CountingDataSource ds;

    @BeforeEach
    void setUp() throws SQLException {
        url = H2.url("close", "");
        pool = H2.h2Pool(url, 10);
        ds = new CountingDataSource(pool);
        H2.exec(pool, "create table t(id int primary key)", "insert into t select x from system_range(1, 100)");
    }

    @AfterEach
    void tearDown() throws SQLException {
        pool.dispose();
        H2.shutdown(url);
    }

    @Test
    void aClosedInstanceRefusesNewCallsWithAClearError() throws Exception {
        AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).name("orders-db").build();
        jdbc.close();
        jdbc.close(); // idempotent
        assertThat(jdbc.isClosed()).isTrue();
        assertThat(failure(jdbc.update("delete from t", List.of()))).isInstanceOf(AsyncJdbcClosedException.class)
                .hasMessage("orders-db is closed: update refused");
        assertThat(failure(jdbc.query("select id from t", List.of(), r -> 1))).hasMessage("orders-db is closed: query refused");
        assertThat(failure(jdbc.inTransaction(tx -> 1))).hasMessage("orders-db is closed: transaction refused");
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(1);
        jdbc.stream("select id from t", List.of(), r -> 1).subscribe(subscriber);
        assertThat(subscriber.subscription()).as("onSubscribe first (rule 1.9)").isNotNull();
        assertThat(failure(subscriber.done)).isInstanceOf(AsyncJdbcClosedException.class).hasMessage("orders-db is closed: stream refused");
        assertThat(ds.handedOut()).isZero();
        assertThat(jdbc.terminated()).isCompleted();
    }

    @Test
    void closeFailsTheWaitersAndLetsTheRunningCallFinish() throws Exception {
        AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).name("one").maxConnections(1).build();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> running = jdbc.inTransaction(tx -> {
            release.await();
            return tx.update("delete from t where id = ?", List.of(1));
        });
        Await.until("the transaction has the permit", () -> jdbc.connectionsInUse() == 1);
        CompletableFuture<Integer> waiterA = jdbc.update("delete from t where id = ?", List.of(2));
        CompletableFuture<Integer> waiterB = jdbc.update("delete from t where id = ?", List.of(3));
        Await.until("two waiters queued", () -> jdbc.waiting() == 2);
        CompletableFuture<Void> terminated = jdbc.terminated();

        jdbc.close(); // returns at once: it does not wait for the running transaction

        assertThat(failure(waiterA)).isInstanceOf(AsyncJdbcClosedException.class)
                .hasMessage("one is closed: refused before it took a connection");
        assertThat(failure(waiterB)).isInstanceOf(AsyncJdbcClosedException.class);
        assertThat(running).isNotDone();
        assertThat(terminated).isNotDone();
        release.countDown();
        assertThat(Await.result(running)).isEqualTo(1);
        Await.result("termination after the running call", terminated);
        assertThat(ds.held()).isZero();
        assertThat(H2.scalar(pool, "select count(*) from t")).as("only the running call deleted").isEqualTo(99);
        Await.until("no bridged task left", () -> bridge.inFlight() == 0);
    }

    @Test
    void closeEndsAStreamParkedForDemandAndReleasesItsConnection() throws Exception {
        AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).name("streams").build();
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(0);
        jdbc.stream("select id from t order by id", List.of(), r -> r.getInt(1)).subscribe(subscriber);
        subscriber.request(3);
        Await.until("three rows delivered", () -> subscriber.items.size() == 3);
        assertThat(jdbc.connectionsInUse()).as("the stream holds its connection while parked").isEqualTo(1);
        assertThat(jdbc.openStreams()).isEqualTo(1);

        jdbc.close();

        assertThat(failure(subscriber.done)).isInstanceOf(AsyncJdbcClosedException.class).hasMessage("streams is closed: stream ended");
        assertThat(subscriber.violations).isEmpty();
        assertThat(subscriber.items).containsExactly(1, 2, 3);
        Await.result(jdbc.terminated());
        assertThat(ds.held()).isZero();
        assertThat(jdbc.openStreams()).isZero();
        Await.until("the producer ended", () -> bridge.inFlight() == 0);
    }

    @Test
    void closeEndsAStreamThatHasNotBeenRequestedYet() throws Exception {
        AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).build();
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(0);
        jdbc.stream("select id from t", List.of(), r -> r.getInt(1)).subscribe(subscriber);
        Await.until("the producer is running", () -> bridge.inFlight() == 1);
        jdbc.close();
        assertThat(failure(subscriber.done)).isInstanceOf(AsyncJdbcClosedException.class);
        Await.until("the producer ended", () -> bridge.inFlight() == 0);
        assertThat(ds.handedOut()).as("no connection before the first request").isZero();
    }

    @Test
    void anInstanceStartsNoThreadAndLeavesNoneBehind() throws Exception {
        Set<String> before = platformThreads();
        AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).maxConnections(2).build();
        for (int i = 0; i < 20; i++) {
            Await.result(jdbc.query("select count(*) from t", List.of(), r -> r.getInt(1)));
        }
        jdbc.close();
        Await.result(jdbc.terminated());
        Await.until("no bridged task left", () -> bridge.inFlight() == 0);
        assertThat(platformThreads()).as("platform threads").isSubsetOf(before);
    }

    private static Set<String> platformThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !t.isVirtual()).map(Thread::getName)
                .collect(Collectors.toSet());
    }
}
