package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.Mode;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.BridgeFixture;
import io.vtbridge.testing.TestBridge;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static io.vtbridge.adapters.jdbc.JdbcTesting.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link AsyncJdbc}'s query and update, their keyed variants, their failures and their arguments, over H2's pool. */
@Timeout(60)
class AsyncJdbcTest {

    @TestBridge(shards = 2, name = "jdbc")
    Bridge bridge;

    private String url;
    private JdbcConnectionPool pool;
    private CountingDataSource ds;
    private AsyncJdbc jdbc;

    @BeforeEach
    void setUp() throws SQLException {
        url = H2.url("asyncjdbc", "");
        pool = H2.h2Pool(url, 10);
        ds = new CountingDataSource(pool);
        H2.exec(pool, "create table person(id int primary key, name varchar(50), nick varchar(50))",
                "insert into person values (1, 'Ada', 'ada'), (2, 'Brian', null), (3, 'Grace', 'amazing')");
        jdbc = AsyncJdbc.builder(ds, bridge).name("test-jdbc").maxConnections(4).build();
    }

    @AfterEach
    void tearDown() throws SQLException {
        jdbc.close();
        pool.dispose();
        H2.shutdown(url);
    }

    @Test
    void queryMapsEveryRowInOrderAndReturnsTheConnection() throws Exception {
        List<String> names = Await.result(jdbc.query("select name from person where id >= ? order by id", List.of(2),
                row -> row.getString("name")));
        assertThat(names).containsExactly("Brian", "Grace");
        assertThat(ds.handedOut()).isEqualTo(1);
        Await.until("the connection back in the pool", () -> ds.held() == 0 && jdbc.connectionsInUse() == 0);
    }

    @Test
    void updateReturnsTheUpdateCount() throws Exception {
        int updated = Await.result(jdbc.update("update person set nick = ? where id < ?", List.of("x", 3)));
        assertThat(updated).isEqualTo(2);
        assertThat(H2.scalar(pool, "select count(*) from person where nick = 'x'")).isEqualTo(2);
    }

    @Test
    void aNullParameterBindsSqlNull() throws Exception {
        int updated = Await.result(jdbc.update("update person set nick = ? where id = ?", Arrays.asList(null, 1)));
        assertThat(updated).isEqualTo(1);
        List<Integer> nullNicks = Await.result(jdbc.query("select id from person where nick is null order by id", List.of(),
                row -> row.getInt(1)));
        assertThat(nullNicks).containsExactly(1, 2);
    }

    @Test
    void theParametersAreCopiedWhenTheCallIsMade() throws Exception {
        AsyncJdbc one = AsyncJdbc.builder(ds, bridge).maxConnections(1).build();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> holder = one.inTransaction(tx -> {
            release.await();
            return null;
        });
        Await.until("the holder has the only permit", () -> one.connectionsInUse() == 1);
        List<Object> params = new ArrayList<>(List.of(3));
        CompletableFuture<List<String>> names = one.query("select name from person where id = ?", params, row -> row.getString(1));
        params.set(0, 1); // after the call: must not change what it binds
        release.countDown();
        assertThat(Await.result(names)).containsExactly("Grace");
        Await.result(holder);
        one.close();
    }

    @Test
    void aFailingStatementFailsItsCallerWithTheDriversExceptionOnly() throws Exception {
        CompletableFuture<List<String>> bad = jdbc.query("select no_such_column from person", List.of(), row -> row.getString(1));
        CompletableFuture<List<String>> good = jdbc.query("select name from person where id = 1", List.of(), row -> row.getString(1));
        Throwable failure = failure(bad);
        assertThat(failure).isInstanceOf(SQLSyntaxErrorException.class).hasMessageContaining("NO_SUCH_COLUMN");
        assertThatThrownBy(bad::join).isInstanceOf(CompletionException.class).cause().isSameAs(failure);
        assertThat(Await.result(good)).containsExactly("Ada");
        Await.until("both connections back", () -> ds.held() == 0);
    }

    @Test
    void whatTheMapperThrowsIsTheCauseItself() throws Exception {
        SQLException boom = new SQLException("mapper says no");
        RuntimeException unchecked = new IllegalStateException("unchecked from the mapper");
        assertThat(failure(jdbc.query("select id from person", List.of(), row -> {
            throw boom;
        }))).isSameAs(boom);
        assertThat(failure(jdbc.query("select id from person", List.of(), row -> {
            throw unchecked;
        }))).isSameAs(unchecked);
        Await.until("the connections back", () -> ds.held() == 0);
    }

    @Test
    void aDuplicateKeyFailsTheUpdateWithTheConstraintViolation() throws Exception {
        Throwable failure = failure(jdbc.update("insert into person values (?, ?, ?)", List.of(1, "Again", "a")));
        assertThat(failure).isInstanceOf(java.sql.SQLIntegrityConstraintViolationException.class);
        assertThat(H2.scalar(pool, "select count(*) from person")).isEqualTo(3);
    }

    @Test
    void keyedCallsRunOnTheKeysShard() throws Exception {
        for (int shard = 0; shard < 2; shard++) {
            int key = BridgeFixture.keyFor(bridge, shard);
            List<Integer> seen = new CopyOnWriteArrayList<>();
            Await.result(jdbc.query(key, "select id from person", List.of(), row -> {
                seen.add(Bridge.current().orElseThrow().index());
                return row.getInt(1);
            }));
            Await.result(jdbc.update(key, "update person set nick = ? where id = ?", List.of("k", 1)));
            Await.result(jdbc.inTransaction(key, tx -> seen.add(Bridge.current().orElseThrow().index())));
            assertThat(seen).as("key %s", key).hasSize(4).containsOnly(shard);
        }
    }

    @Test
    void unkeyedCallsFromBridgedCodeStayOnTheCallersShard() throws Exception {
        for (int shard = 0; shard < 2; shard++) {
            List<Integer> seen = new CopyOnWriteArrayList<>();
            RowMapper<Integer> where = row -> {
                seen.add(Bridge.current().orElseThrow().index());
                return row.getInt(1);
            };
            // From bridged code on `shard`: a query, a transaction, and a follow-up in a callback chain.
            Await.result(BridgeFixture.on(bridge, shard, () -> {
                Await.result(jdbc.query("select id from person where id = 1", List.of(), where));
                Await.result(jdbc.inTransaction(tx -> tx.query("select id from person where id = 1", List.of(), where)));
                return null;
            }));
            CountDownLatch chained = new CountDownLatch(1); // the follow-up is attached before the first call completes
            CompletableFuture<List<Integer>> first = BridgeFixture.on(bridge, shard, () -> {
                chained.await();
                return List.of(1);
            });
            CompletableFuture<List<Integer>> followUp = first.thenCompose(
                    ignored -> jdbc.query("select id from person where id = 2", List.of(), where));
            chained.countDown();
            Await.result(followUp);
            assertThat(seen).as("shard %d", shard).hasSize(3).containsOnly(shard);
        }
    }

    @Test
    void callsFromOutsideAreSpreadOverTheShards() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Object>> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // held at once: the load of each shard counts them
            held.add(jdbc.inTransaction(tx -> {
                seen.add(Bridge.current().orElseThrow().index());
                release.await();
                return null;
            }));
        }
        Await.until("four transactions running", () -> seen.size() == 4);
        release.countDown();
        for (CompletableFuture<Object> f : held) {
            Await.result(f);
        }
        assertThat(seen).as("placed on the less loaded of two shards").contains(0, 1);
    }

    @Test
    void callsRunOnBridgedVirtualThreadsOrOnTheBlockingPoolInSyncMode() throws Exception {
        List<String> async = Await.result(jdbc.query("select id from person where id = 1", List.of(),
                row -> Thread.currentThread().isVirtual() + " " + Bridge.current().isPresent()));
        assertThat(async).containsExactly("true true");
        try (AsyncJdbc sync = AsyncJdbc.builder(ds, bridge).mode(Mode.SYNC).build()) {
            List<String> where = Await.result(sync.query(7, "select id from person where id = 1", List.of(),
                    row -> Thread.currentThread().isVirtual() + " " + Thread.currentThread().getName()));
            assertThat(where).singleElement().asString().startsWith("false jdbc-blocking");
        }
    }

    @Test
    void aQueryBeyondMaxRowsFailsWithTheBound() throws Exception {
        try (AsyncJdbc bounded = AsyncJdbc.builder(ds, bridge).maxRows(2).build()) {
            Throwable failure = failure(bounded.query("select id from person", List.of(), row -> row.getInt(1)));
            assertThat(failure).isInstanceOf(ResultTooLargeException.class).hasMessageContaining("maxRows=2")
                    .hasMessageContaining("stream()");
            assertThat(((ResultTooLargeException) failure).maxRows()).isEqualTo(2);
            assertThat(Await.result(bounded.query("select id from person where id < 3", List.of(), row -> row.getInt(1))))
                    .containsExactly(1, 2);
        }
        Await.until("the connections back", () -> ds.held() == 0);
    }

    @Test
    void badArgumentsThrowAtOnceNamingTheArgument() {
        RowMapper<Integer> id = row -> row.getInt(1);
        assertThatThrownBy(() -> jdbc.query(null, List.of(), id)).isInstanceOf(NullPointerException.class).hasMessage("sql");
        assertThatThrownBy(() -> jdbc.query(" \n", List.of(), id)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sql must not be blank");
        assertThatThrownBy(() -> jdbc.query("select 1", null, id)).isInstanceOf(NullPointerException.class).hasMessage("params");
        assertThatThrownBy(() -> jdbc.query("select 1", List.of(), null)).isInstanceOf(NullPointerException.class).hasMessage("mapper");
        assertThatThrownBy(() -> jdbc.query(null, "select 1", List.of(), id)).isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> jdbc.update(null, List.of())).isInstanceOf(NullPointerException.class).hasMessage("sql");
        assertThatThrownBy(() -> jdbc.update("", List.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> jdbc.update("delete from person", null)).isInstanceOf(NullPointerException.class).hasMessage("params");
        assertThatThrownBy(() -> jdbc.update(null, "delete from person", List.of())).isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> jdbc.inTransaction(null)).isInstanceOf(NullPointerException.class).hasMessage("body");
        assertThatThrownBy(() -> jdbc.inTransaction(null, tx -> 1)).isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> jdbc.stream(null, List.of(), id)).isInstanceOf(NullPointerException.class).hasMessage("sql");
        assertThatThrownBy(() -> jdbc.stream("select 1", null, id)).isInstanceOf(NullPointerException.class).hasMessage("params");
        assertThatThrownBy(() -> jdbc.stream("select 1", List.of(), null)).isInstanceOf(NullPointerException.class).hasMessage("mapper");
        assertThatThrownBy(() -> jdbc.stream("select 1", List.of(), id).subscribe(null))
                .isInstanceOf(NullPointerException.class).hasMessage("subscriber");
        assertThat(ds.handedOut()).as("nothing ran").isZero();
    }

    @Test
    void aRejectionByTheBridgeIsTheBridgesException() throws Exception {
        Bridge closed = Bridge.builder().shards(1).build();
        closed.close();
        try (AsyncJdbc onClosed = AsyncJdbc.builder(ds, closed).build()) {
            assertThat(failure(onClosed.update("delete from person", List.of())))
                    .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        }
        assertThat(ds.handedOut()).isZero();
    }

    @Test
    void toStringAndFiguresDescribeTheInstance() {
        assertThat(jdbc.name()).isEqualTo("test-jdbc");
        assertThat(jdbc.maxConnections()).isEqualTo(4);
        assertThat(jdbc.toString()).contains("test-jdbc", "0/4");
    }
}
