package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.Mode;
import io.vtbridge.testing.Await;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.vtbridge.adapters.jdbc.JdbcTesting.failure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams in {@link Mode#SYNC}, whose tasks hold a platform thread of the bridge's blocking pool:
 * a subscription that has not requested yet must hold none (its producer is submitted at the first
 * request), so that idle subscriptions cannot starve the pool's other calls; and every way a stream
 * starts or ends before its first request still works.
 */
@Timeout(60)
class SyncModeStreamTest {

    private static final int POOL_THREADS = 2;

    private String url;
    private JdbcConnectionPool pool;
    private CountingDataSource ds;
    private Bridge bridge;
    private AsyncJdbc jdbc;

    @BeforeEach
    void setUp() throws SQLException {
        url = H2.url("sync-stream", "");
        pool = H2.h2Pool(url, 10);
        ds = new CountingDataSource(pool);
        H2.exec(pool, "create table t(id int primary key)", "insert into t select x from system_range(1, 50)");
        bridge = Bridge.builder().shards(1).name("sync-stream").blockingThreads(POOL_THREADS)
                .closeTimeout(Duration.ofSeconds(2)).build();
        jdbc = AsyncJdbc.builder(ds, bridge).mode(Mode.SYNC).maxConnections(POOL_THREADS).build();
    }

    @AfterEach
    void tearDown() throws SQLException {
        jdbc.close();
        bridge.close();
        pool.dispose();
        H2.shutdown(url);
    }

    @Test
    void subscriptionsThatHaveNotRequestedHoldNoThreadOfTheBlockingPool() throws Exception {
        List<RecordingSubscriber<Integer>> idle = new ArrayList<>();
        for (int i = 0; i < POOL_THREADS + 1; i++) {                 // more idle subscriptions than pool threads
            RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(0);
            jdbc.stream("select id from t order by id", List.of(), row -> row.getInt(1)).subscribe(subscriber);
            idle.add(subscriber);
        }
        assertThat(bridge.inFlight()).as("no producer submitted before a request").isZero();
        assertThat(jdbc.openStreams()).isEqualTo(POOL_THREADS + 1);
        assertThat(Await.result("a plain call while the streams wait for their first request",
                jdbc.query("select count(*) from t", List.of(), row -> row.getInt(1)))).containsExactly(50);

        for (RecordingSubscriber<Integer> subscriber : idle) {      // requested from this thread: each producer starts now
            subscriber.request(Long.MAX_VALUE);
        }
        for (RecordingSubscriber<Integer> subscriber : idle) {
            Await.result("the stream's end", subscriber.done);
            assertThat(subscriber.items).hasSize(50).startsWith(1, 2, 3).endsWith(50);
            assertThat(subscriber.violations).isEmpty();
        }
        assertThat(ds.held()).isZero();
    }

    @Test
    void aRequestFromOnSubscribeStartsTheProducerOnThePool() throws Exception {
        RecordingSubscriber<String> subscriber = new RecordingSubscriber<>(5);
        jdbc.stream("select id from t where id <= 7 order by id", List.of(),
                row -> row.getInt(1) + (Thread.currentThread().isVirtual() ? " virtual" : " platform")).subscribe(subscriber);
        Await.result("the stream's end", subscriber.done);
        assertThat(subscriber.items).containsExactly("1 platform", "2 platform", "3 platform", "4 platform",
                "5 platform", "6 platform", "7 platform");
        assertThat(subscriber.violations).isEmpty();
    }

    @Test
    void aCancelBeforeTheFirstRequestRunsNothing() throws Exception {
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(0);
        jdbc.stream("select id from t", List.of(), row -> row.getInt(1)).subscribe(subscriber);
        subscriber.subscription().cancel();
        assertThat(jdbc.openStreams()).isZero();
        subscriber.subscription().request(3);                       // after cancel: a no-op (rule 3.6)
        assertThat(bridge.inFlight()).isZero();
        assertThat(bridge.blockingPoolStats().completed()).as("no producer ever ran").isZero();
        assertThat(ds.handedOut()).isZero();
        assertThat(subscriber.done).isNotDone();
    }

    @Test
    void aCloseOrAnInvalidRequestBeforeTheFirstRequestEndsTheStreamWithOnError() throws Exception {
        RecordingSubscriber<Integer> invalid = new RecordingSubscriber<>(0);
        jdbc.stream("select id from t", List.of(), row -> row.getInt(1)).subscribe(invalid);
        invalid.subscription().request(-2);
        assertThat(failure(invalid.done)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was -2");

        RecordingSubscriber<Integer> closed = new RecordingSubscriber<>(0);
        jdbc.stream("select id from t", List.of(), row -> row.getInt(1)).subscribe(closed);
        jdbc.close();
        assertThat(failure(closed.done)).isInstanceOf(AsyncJdbcClosedException.class);
        Await.until("the streams ended", () -> jdbc.openStreams() == 0 && bridge.inFlight() == 0);
        assertThat(ds.handedOut()).isZero();
        assertThat(invalid.violations).isEmpty();
        assertThat(closed.violations).isEmpty();
    }
}
