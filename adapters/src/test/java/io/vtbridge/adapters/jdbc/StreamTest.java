package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.BridgeFixture;
import io.vtbridge.testing.ChildJvm;
import io.vtbridge.testing.TestBridge;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.vtbridge.adapters.jdbc.JdbcTesting.failure;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link AsyncJdbc#stream}: rows on demand, never ahead of it, and every way a stream ends. */
@Timeout(120)
class StreamTest {

    @TestBridge(shards = 2)
    Bridge bridge;

    private String url;
    private JdbcConnectionPool pool;
    private CountingDataSource ds;
    private AsyncJdbc jdbc;

    @BeforeEach
    void setUp() throws SQLException {
        url = H2.url("stream", ";LAZY_QUERY_EXECUTION=TRUE");
        pool = H2.h2Pool(url, 10);
        ds = new CountingDataSource(pool);
        H2.exec(pool, "create table t(id int primary key)", "insert into t select x from system_range(1, 10000)");
        jdbc = AsyncJdbc.builder(ds, bridge).maxConnections(2).fetchSize(100).build();
    }

    @AfterEach
    void tearDown() throws SQLException {
        jdbc.close();
        pool.dispose();
        H2.shutdown(url);
    }

    @Test
    void rowsArriveInOrderInSmallBatchesAndTheConnectionIsBackBeforeOnComplete() throws Exception {
        AtomicLong inUseAtEnd = new AtomicLong(-1);
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(7) {
            @Override
            public void onComplete() {
                inUseAtEnd.set(jdbc.connectionsInUse() + ds.held());
                super.onComplete();
            }
        };
        jdbc.stream("select id from t where id > ? order by id", List.of(0), row -> row.getInt(1)).subscribe(subscriber);
        Await.result(subscriber.done);
        assertThat(subscriber.violations).isEmpty();
        assertThat(subscriber.items).hasSize(10_000);
        for (int i = 0; i < 10_000; i++) {
            assertThat(subscriber.items.get(i)).isEqualTo(i + 1);
        }
        assertThat(inUseAtEnd.get()).as("permit and connection released before onComplete").isZero();
        assertThat(ds.autoCommitCalls).as("read in a transaction of its own").containsExactly("setAutoCommit(false)", "setAutoCommit(true)");
        assertThat(jdbc.openStreams()).isZero();
    }

    /**
     * A million rows, requested 64 at a time by another thread once the previous 64 have arrived:
     * every row is read out of the result set (the mapper runs) only after it was requested, so the
     * producer is never ahead of the demand, not even by one prefetched row while it waits.
     */
    @Test
    void aMillionRowsStreamNeverAheadOfTheDemand() throws Exception {
        int batch = 64;
        AtomicLong mapped = new AtomicLong();
        AtomicLong maxAhead = new AtomicLong(Long.MIN_VALUE);
        RecordingSubscriber<Long> subscriber = new RecordingSubscriber<>(0, false);
        RowMapper<Long> mapper = row -> {
            long ahead = mapped.incrementAndGet() - subscriber.requested.get();
            maxAhead.accumulateAndGet(ahead, Math::max);
            return row.getLong(1);
        };
        AtomicLong sum = new AtomicLong();
        Semaphore batchArrived = new Semaphore(0);
        subscriber.onEach(value -> {
            sum.addAndGet(value);
            if (subscriber.received.get() % batch == 0) {
                batchArrived.release();
            }
        });
        jdbc.stream("select x from system_range(1, 1000000)", List.of(), mapper).subscribe(subscriber);
        subscriber.request(batch);
        Thread requester = Thread.ofPlatform().name("requester").start(() -> {
            try {
                while (!subscriber.done.isDone()) {
                    if (batchArrived.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        subscriber.request(batch);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        subscriber.done.get(100, TimeUnit.SECONDS); // a bound against a hang, not a timing assertion
        requester.join();
        assertThat(subscriber.violations).isEmpty();
        assertThat(subscriber.received.get()).isEqualTo(1_000_000);
        assertThat(sum.get()).isEqualTo(1_000_000L * 1_000_001L / 2);
        assertThat(maxAhead.get()).as("rows read beyond the demand").isZero();
    }

    /** The same in a child JVM with a 32 MB heap and ~100 MB of row data: it streams, it does not collect. */
    @Test
    void aResultLargerThanTheHeapStreamsInBoundedMemory() throws Exception {
        ChildJvm.Result child = ChildJvm.of(StreamInSmallHeap.class).flags(ChildJvm.OPENS).flags("-Xmx32m").run();
        System.out.print("child JVM: " + child.output());
        assertThat(child.exitCode()).as("child output: %s", child.output()).isZero();
        assertThat(child.output()).contains("rows=1000000 chars=100000000 maxAhead=");
    }

    @Test
    void nothingIsTakenBeforeTheFirstRequest() throws Exception {
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(0);
        jdbc.stream("select id from t", List.of(), row -> row.getInt(1)).subscribe(subscriber);
        Await.until("the producer is running", () -> bridge.inFlight() == 1);
        subscriber.subscription().cancel();
        Await.until("the producer ended", () -> bridge.inFlight() == 0);
        assertThat(ds.handedOut()).isZero();
        assertThat(subscriber.done).isNotDone();
    }

    @Test
    void cancelWhileParkedClosesEverythingAndReleasesThePermit() throws Exception {
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(0);
        jdbc.stream("select id from t order by id", List.of(), row -> row.getInt(1)).subscribe(subscriber);
        subscriber.request(5);
        Await.until("five rows", () -> subscriber.items.size() == 5);
        assertThat(jdbc.connectionsInUse()).isEqualTo(1);
        subscriber.subscription().cancel();
        Await.until("the producer ended", () -> bridge.inFlight() == 0);
        assertThat(jdbc.connectionsInUse()).isZero();
        assertThat(ds.held()).isZero();
        assertThat(jdbc.openStreams()).isZero();
        assertThat(subscriber.done).as("no signal after cancel").isNotDone();
        assertThat(subscriber.items).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void cancelFromOnNextStopsAtOnce() throws Exception {
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(Long.MAX_VALUE);
        subscriber.onEach(item -> {
            if (item == 10) {
                subscriber.subscription().cancel();
            }
        });
        jdbc.stream("select id from t order by id", List.of(), row -> row.getInt(1)).subscribe(subscriber);
        Await.until("the producer ended", () -> bridge.inFlight() == 0);
        assertThat(subscriber.items).hasSize(10);
        assertThat(subscriber.done).isNotDone();
        assertThat(ds.held()).isZero();
    }

    @Test
    void theMappersExceptionEndsTheStreamWithOnErrorOfThatException() throws Exception {
        SQLException boom = new SQLException("bad row");
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(10);
        jdbc.stream("select id from t order by id", List.of(), row -> {
            if (row.getInt(1) == 4) {
                throw boom;
            }
            return row.getInt(1);
        }).subscribe(subscriber);
        assertThat(failure(subscriber.done)).isSameAs(boom);
        assertThat(subscriber.items).containsExactly(1, 2, 3);
        assertThat(subscriber.violations).isEmpty();
        assertThat(ds.held()).as("released before onError").isZero();
        assertThat(jdbc.connectionsInUse()).isZero();
    }

    @Test
    void aBadQueryIsOnErrorWithTheDriversException() throws Exception {
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(1);
        jdbc.stream("select nope from t", List.of(), row -> 1).subscribe(subscriber);
        assertThat(failure(subscriber.done)).isInstanceOf(SQLSyntaxErrorException.class);
        assertThat(ds.held()).isZero();
    }

    @Test
    void aNonPositiveRequestIsOnErrorWithIllegalArgument() throws Exception {
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(0);
        jdbc.stream("select id from t", List.of(), row -> row.getInt(1)).subscribe(subscriber);
        subscriber.subscription().request(0);
        assertThat(failure(subscriber.done)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9")
                .hasMessageContaining("was 0");
        Await.until("the producer ended", () -> bridge.inFlight() == 0);
    }

    @Test
    void aNullRowValueIsOnErrorNamingTheRow() throws Exception {
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(5);
        jdbc.stream("select id from t order by id", List.of(), row -> row.getInt(1) == 2 ? null : row.getInt(1)).subscribe(subscriber);
        assertThat(failure(subscriber.done)).isInstanceOf(NullPointerException.class).hasMessageContaining("row 2");
        assertThat(subscriber.items).containsExactly(1);
    }

    @Test
    void aThrowingOnNextCancelsTheSubscription() throws Exception {
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(100);
        subscriber.onEach(item -> {
            if (item == 3) {
                throw new IllegalStateException("subscriber bug (expected by the test)");
            }
        });
        jdbc.stream("select id from t order by id", List.of(), row -> row.getInt(1)).subscribe(subscriber);
        Await.until("the producer ended", () -> bridge.inFlight() == 0);
        assertThat(subscriber.items).containsExactly(1, 2, 3);
        assertThat(subscriber.done).as("rule 2.13: cancelled, no onError").isNotDone();
        assertThat(ds.held()).isZero();
    }

    @Test
    void demandSaturatesAtLongMaxValue() throws Exception {
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(0);
        jdbc.stream("select id from t", List.of(), row -> row.getInt(1)).subscribe(subscriber);
        subscriber.request(Long.MAX_VALUE);
        subscriber.request(Long.MAX_VALUE);
        Await.result(subscriber.done);
        assertThat(subscriber.items).hasSize(10_000);
        assertThat(subscriber.violations).isEmpty();
    }

    @Test
    void aStreamWaitsForAPermitAndTimesOutWithTheTypedError() throws Exception {
        try (AsyncJdbc one = AsyncJdbc.builder(ds, bridge).maxConnections(1).acquireTimeout(Duration.ofMillis(50)).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Object> holder = one.inTransaction(tx -> {
                release.await();
                return null;
            });
            Await.until("the permit held", () -> one.connectionsInUse() == 1);
            RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(1);
            one.stream("select id from t", List.of(), row -> row.getInt(1)).subscribe(subscriber);
            assertThat(failure(subscriber.done)).isInstanceOf(ConnectionAcquireTimeoutException.class);
            release.countDown();
            Await.result(holder);
        }
    }

    @Test
    void aKeyedStreamProducesOnTheKeysShardAndEachSubscriptionRunsTheQueryAgain() throws Exception {
        int key = BridgeFixture.keyFor(bridge, 1);
        Flow.Publisher<Integer> shards = jdbc.stream(key, "select id from t where id <= 3", List.of(),
                row -> Bridge.current().orElseThrow().index());
        for (int i = 0; i < 2; i++) {
            RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(10);
            shards.subscribe(subscriber);
            Await.result(subscriber.done);
            assertThat(subscriber.items).containsExactly(1, 1, 1);
        }
        assertThat(ds.handedOut()).isEqualTo(2);
    }

    @Test
    void aSubscriptionRejectedByTheBridgeIsOnErrorWithTheRejection() throws Exception {
        Bridge closed = Bridge.builder().shards(1).build();
        closed.close();
        try (AsyncJdbc onClosed = AsyncJdbc.builder(ds, closed).build()) {
            RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(1);
            onClosed.stream("select id from t", List.of(), row -> 1).subscribe(subscriber);
            assertThat(failure(subscriber.done)).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
            assertThat(onClosed.openStreams()).isZero();
        }
    }
}
