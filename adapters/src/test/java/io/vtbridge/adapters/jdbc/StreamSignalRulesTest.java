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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream's signals when its subscriber misbehaves or gives up early: a throwing
 * {@code onSubscribe} (rules 1.9 and 2.13: {@code subscribe} returns normally, the subscription
 * counts as cancelled, the throwable is reported), a throwing {@code onNext} after a close or an
 * invalid request came first (2.13: nothing more is sent, not even that earlier signal's
 * {@code onError}), and a cancel while the producer waits for a connection permit (no connection is
 * taken).
 */
@Timeout(60)
class StreamSignalRulesTest {

    @TestBridge(shards = 2)
    Bridge bridge;

    private String url;
    private JdbcConnectionPool pool;
    private CountingDataSource ds;
    private AsyncJdbc jdbc;

    @BeforeEach
    void setUp() throws SQLException {
        url = H2.url("stream-rules", ";LAZY_QUERY_EXECUTION=TRUE");
        pool = H2.h2Pool(url, 10);
        ds = new CountingDataSource(pool);
        H2.exec(pool, "create table t(id int primary key)", "insert into t select x from system_range(1, 100)");
        jdbc = AsyncJdbc.builder(ds, bridge).maxConnections(2).fetchSize(10).build();
    }

    @AfterEach
    void tearDown() throws SQLException {
        jdbc.close();
        pool.dispose();
        H2.shutdown(url);
    }

    /** Runs {@code body} with a default uncaught-exception handler that records what it gets (a bridged thread's handler ends there). */
    private static List<Throwable> withUncaughtRecorded(ThrowingRunnable body) throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> reported.add(e));
        try {
            body.run();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        return reported;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aThrowingOnSubscribeCancelsTheSubscriptionAndSubscribeStillReturnsNormally() throws Exception {
        IllegalStateException bug = new IllegalStateException("onSubscribe bug (expected by the test)");
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(5) { // requests 5, then throws
            @Override
            public void onSubscribe(Flow.Subscription s) {
                super.onSubscribe(s);
                throw bug;
            }
        };
        CompletableFuture<Throwable> reported = new CompletableFuture<>();
        AtomicReference<Throwable> thrownBySubscribe = new AtomicReference<>();
        Thread subscribing = Thread.ofPlatform().name("subscribing")
                .uncaughtExceptionHandler((thread, e) -> reported.complete(e))
                .start(() -> {
                    try {
                        jdbc.stream("select id from t", List.of(), row -> row.getInt(1)).subscribe(subscriber);
                    } catch (Throwable t) {
                        thrownBySubscribe.set(t);
                    }
                });
        Await.join("subscribe() returns", subscribing);
        assertThat(thrownBySubscribe.get()).as("rule 1.9: subscribe returns normally").isNull();
        assertThat(Await.result("the report to the subscribing thread's handler", reported)).isSameAs(bug);
        assertThat(jdbc.openStreams()).as("released").isZero();
        assertThat(bridge.inFlight()).as("cancelled before any producer was submitted").isZero();
        assertThat(ds.handedOut()).isZero();
        assertThat(subscriber.items).isEmpty();
        assertThat(subscriber.done).as("rule 2.13: cancelled, no signal").isNotDone();
    }

    /** Subscribes a subscriber whose first {@code onNext} runs {@code before}, then throws; returns what was reported. */
    private List<Throwable> onNextThrowsAfter(Consumer<RecordingSubscriber<Integer>> before, RecordingSubscriber<Integer> subscriber,
                                              IllegalStateException bug) throws Exception {
        subscriber.onEach(item -> {
            before.accept(subscriber);
            throw bug;
        });
        return withUncaughtRecorded(() -> {
            jdbc.stream("select id from t order by id", List.of(), row -> row.getInt(1)).subscribe(subscriber);
            Await.until("the producer ended", () -> bridge.inFlight() == 0 && jdbc.openStreams() == 0);
        });
    }

    @Test
    void aThrowingOnNextAfterAnInvalidRequestGetsNoOnError() throws Exception {
        IllegalStateException bug = new IllegalStateException("onNext bug (expected by the test)");
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(5);
        List<Throwable> reported = onNextThrowsAfter(s -> s.subscription().request(0), subscriber, bug);
        assertThat(subscriber.items).containsExactly(1);
        assertThat(subscriber.done).as("rule 2.13: no onError(IllegalArgumentException) after onNext threw").isNotDone();
        assertThat(subscriber.violations).isEmpty();
        assertThat(reported).as("the subscriber's throwable, reported once").containsExactly(bug);
        assertThat(ds.held()).isZero();
        assertThat(jdbc.connectionsInUse()).isZero();
    }

    @Test
    void aThrowingOnNextAfterTheOwnersCloseGetsNoOnError() throws Exception {
        IllegalStateException bug = new IllegalStateException("onNext bug (expected by the test)");
        RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(5);
        List<Throwable> reported = onNextThrowsAfter(s -> jdbc.close(), subscriber, bug);
        assertThat(subscriber.items).containsExactly(1);
        assertThat(subscriber.done).as("rule 2.13: no onError(AsyncJdbcClosedException) after onNext threw").isNotDone();
        assertThat(reported).containsExactly(bug);
        assertThat(ds.held()).isZero();
        Await.result("terminated", jdbc.terminated());
    }

    @Test
    void aStreamCancelledWhileItWaitsForAPermitTakesNoConnection() throws Exception {
        try (AsyncJdbc one = AsyncJdbc.builder(ds, bridge).maxConnections(1).build()) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Object> holder = one.inTransaction(tx -> {
                release.await();
                return null;
            });
            Await.until("the permit held", () -> one.connectionsInUse() == 1);
            RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>(10);
            one.stream("select id from t", List.of(), row -> row.getInt(1)).subscribe(subscriber);
            Await.until("the stream's producer waits for the permit", () -> one.waiting() == 1);
            subscriber.subscription().cancel();
            release.countDown();
            Await.result(holder);
            Await.until("the producer ended", () -> one.openStreams() == 0 && one.connectionsInUse() == 0);
            assertThat(ds.handedOut()).as("only the holder's connection: the cancelled stream asked for none").isEqualTo(1);
            assertThat(subscriber.items).isEmpty();
            assertThat(subscriber.done).as("no signal after cancel").isNotDone();
        }
    }
}
