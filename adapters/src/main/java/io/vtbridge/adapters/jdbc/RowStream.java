package io.vtbridge.adapters.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One subscription to a {@link RowPublisher}: its producer, a bridged task that runs the query and
 * hands rows to the subscriber as they are requested, and the {@link Flow.Subscription} the
 * subscriber drives it with.
 *
 * <p><b>The producer</b> waits for the first request before it takes a connection permit and a
 * connection: in {@link io.vtbridge.Mode#ASYNC} it is submitted at subscription and waits parked
 * (its virtual thread unmounts); in {@link io.vtbridge.Mode#SYNC}, whose tasks hold a platform
 * thread of the blocking pool, it is submitted only at the first request or signal
 * ({@link DeferredStart}), so an idle subscription holds no thread. It then runs the query in a
 * {@link LocalTransaction} with a forward-only, read-only statement and the builder's fetch size. It
 * reads a row only when there is demand for it, maps it and calls {@code onNext} on its own thread,
 * so it is never ahead of the demand: no buffer of its own, only the driver's fetch buffer. With no
 * demand it parks, holding its connection. It ends when the rows run out (commit, then
 * {@code onComplete}), on a failure (roll back, then {@code onError} with the original exception), on
 * {@code cancel()} (roll back, no signal), or when the {@link AsyncJdbc} closes ({@code onError} with
 * {@link AsyncJdbcClosedException}). In every case the result set, statement and connection are
 * closed and the permit is released <em>before</em> the terminal signal, on the producer's thread
 * (JDBC objects never see two threads).
 *
 * <p><b>Cancel.</b> The producer checks the signal while it waits for demand, after it got its
 * permit (a stream cancelled while it waited for one takes no connection), before and after each
 * {@code onNext}, and before its terminal signal. So a {@code cancel()} from inside {@code onNext}
 * is followed by nothing, and a {@code cancel()} from another thread by at most one signal: the one
 * the producer had already decided to send (an {@code onNext} of a row it had read, or a terminal
 * signal), as rule 1.8 allows. A {@code cancel()} while the producer waits for demand takes effect
 * at once; while it waits for a permit, when it gets one (it then gives it back and takes no
 * connection); while it is inside the driver, when the driver returns.
 *
 * <p>Reactive Streams rules kept: {@code onSubscribe} first, on the subscribing thread, before the
 * producer is submitted; {@code subscribe} returns normally (1.9) even when {@code onSubscribe}
 * throws; signals serial; at most the requested {@code onNext}s; at most one terminal signal;
 * {@code request(n <= 0)} ends the stream with {@link IllegalArgumentException} (3.9); demand
 * saturates at {@code Long.MAX_VALUE} (3.17); a subscriber method that throws cancels the
 * subscription, is sent nothing more (no terminal signal either, whatever else came first), and the
 * throwable goes to the uncaught-exception handler of the thread that called it: the subscribing
 * thread for {@code onSubscribe}, the producer's for the others (2.13); a null row value is a
 * failure ({@link NullPointerException}).
 *
 * <p><b>Threading:</b> {@link #request} and {@link #cancel} from any thread (Reactive Streams rule
 * 2.7 asks subscribers to call them serially); everything else on the producer's thread, except
 * {@link #start} (the subscribing thread), {@link #ownerClosed} (the closing thread) and
 * {@link #launch} (whoever {@link DeferredStart} or {@link #start} picks).
 */
final class RowStream<T> implements Flow.Subscription {

    private final AsyncJdbc jdbc;
    private final Object key;                                  // the producer on this key's shard; null: unkeyed (see Placement)
    private final String sql;
    private final List<Object> params;
    private final RowMapper<T> mapper;
    private final Flow.Subscriber<? super T> subscriber;
    private final Demand demand = new Demand();
    private final DeferredStart deferredStart;                 // Mode.SYNC: the producer is submitted at the first request or signal; null: at subscription
    private final AtomicBoolean claimed = new AtomicBoolean(); // the producer when it starts, or the submission's failure handler if it never will: the one that wins sends the terminal signal
    private Throwable subscriberFailure;                       // producer thread only: what onNext threw; then nothing more is sent

    RowStream(AsyncJdbc jdbc, Object key, String sql, List<Object> params, RowMapper<T> mapper, Flow.Subscriber<? super T> subscriber) {
        this.jdbc = jdbc;
        this.key = key;
        this.sql = sql;
        this.params = params;
        this.mapper = mapper;
        this.subscriber = subscriber;
        this.deferredStart = jdbc.startsStreamsOnRequest() ? new DeferredStart(demand) : null;
    }

    /**
     * On the subscribing thread: {@code onSubscribe}, then the producer's submission, at once or (in
     * {@code Mode.SYNC}) at the first request or signal. Returns normally whatever the subscriber
     * does (rule 1.9).
     */
    void start() {
        boolean registered = jdbc.streams().add(this);
        try {
            subscriber.onSubscribe(this);
        } catch (Throwable failure) {
            // Rule 2.13: the subscription counts as cancelled, and the caller reports the throwable.
            // No producer was submitted (none is before onSubscribe returns): nothing else to release.
            demand.cancel();
            jdbc.streams().remove(this);
            uncaught(failure);
            return;
        }
        if (!registered) {
            if (demand.signal() != Demand.CANCELLED) {
                signal(() -> subscriber.onError(jdbc.closedError("stream refused")));
            }
            return;
        }
        if (deferredStart == null || deferredStart.arm()) {
            launch();
        }
    }

    /** Submits the producer (once: {@link #start} or {@link DeferredStart} decided), unless the stream is cancelled already. */
    private void launch() {
        if (demand.signal() == Demand.CANCELLED) {
            jdbc.streams().remove(this); // cancelled before its producer was submitted: nothing to run
            return;
        }
        CompletableFuture<Void> producer = jdbc.submit(key, this::produce);
        producer.whenComplete((ignored, failure) -> {
            if (failure != null && claimed.compareAndSet(false, true)) { // the producer never ran: rejected or cancelled
                jdbc.streams().remove(this);
                if (demand.signal() != Demand.CANCELLED) {
                    signal(() -> subscriber.onError(failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure));
                }
            }
        });
    }

    @Override
    public void request(long n) {
        demand.request(n);
        startIfDeferred();
    }

    @Override
    public void cancel() {
        demand.cancel();
        startIfDeferred();
    }

    /** The owning {@link AsyncJdbc} closed: the producer ends with {@link AsyncJdbcClosedException}. */
    void ownerClosed() {
        demand.close();
        startIfDeferred();
    }

    /** After the demand changed: submits a deferred producer if this call is the first to be seen by an armed stream. */
    private void startIfDeferred() {
        if (deferredStart != null && deferredStart.afterDemand()) {
            launch();
        }
    }

    /** The producer's body, on its bridged thread. Never throws: every outcome is a signal, or a report. */
    private Void produce() {
        if (!claimed.compareAndSet(false, true)) {
            return null;
        }
        boolean completed = false;
        Throwable failure = null;
        try {
            completed = pump();
        } catch (Throwable t) {
            failure = t;
        } finally {
            jdbc.streams().remove(this);
        }
        if (subscriberFailure != null) {
            // Rule 2.13: a subscriber that threw gets nothing more, whichever signal came first.
            uncaught(subscriberFailure);
            if (failure != null) {
                uncaught(failure); // the roll-back after it failed too: reported, not sent
            }
        } else if (demand.signal() != Demand.CANCELLED) { // cancelled: no terminal signal; a failure while finishing is dropped
            terminal(completed, failure);
        }
        return null;
    }

    /** The terminal signal of a stream neither cancelled nor failed by its subscriber. */
    private void terminal(boolean completed, Throwable failure) {
        if (completed) {
            signal(subscriber::onComplete);
        } else if (failure != null) {
            signal(() -> subscriber.onError(failure));
        } else {
            endBySignal();
        }
    }

    /** Runs the query and delivers rows; {@code true} if the rows ran out, {@code false} if a signal ended it. */
    private boolean pump() throws Exception {
        if (demand.await() == 0) {
            return false; // ended before the first request: no connection taken
        }
        jdbc.enter();
        try {
            if (demand.signal() != Demand.NONE) {
                return false; // cancelled or closed while it waited for the permit (that wait sees no signal): no connection taken
            }
            return query();
        } finally {
            jdbc.exit();
        }
    }

    /** With a permit: runs the query in its own transaction and delivers rows; as {@link #pump}. */
    private boolean query() throws Exception {
        try (Connection connection = jdbc.dataSource().getConnection()) {
            LocalTransaction local = LocalTransaction.begin(connection);
            boolean completed;
            try {
                try (PreparedStatement statement = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                    statement.setFetchSize(jdbc.fetchSize());
                    Statements.bind(statement, params);
                    try (ResultSet rows = statement.executeQuery()) {
                        completed = deliver(rows);
                    }
                }
                if (completed) {
                    local.commit();
                } else {
                    local.rollback(null);
                }
            } catch (Throwable failure) {
                local.rollback(failure);
                local.restore(failure);
                throw failure;
            }
            local.restore(null);
            return completed;
        }
    }

    /** Reads rows while there is demand; {@code true} when they run out, {@code false} on a signal. */
    private boolean deliver(ResultSet rows) throws Exception {
        long row = 0;
        while (true) {
            long n = demand.await();
            if (n == 0) {
                return false;
            }
            for (long i = 0; i < n; i++) {
                if (!rows.next()) {
                    return true;
                }
                T value = mapper.map(rows);
                row++;
                if (value == null) {
                    throw new NullPointerException("mapper returned null for row " + row
                            + " (a Flow.Subscriber never receives null): " + sql);
                }
                if (demand.signal() != Demand.NONE) {
                    return false; // cancelled or closed while the row was read: not delivered
                }
                demand.consume();
                try {
                    subscriber.onNext(value);
                } catch (Throwable failure) {
                    subscriberFailure = failure; // rule 2.13: the subscription is cancelled, and nothing more is sent
                    demand.cancel();
                    return false;
                }
                if (demand.signal() != Demand.NONE) {
                    return false;
                }
            }
        }
    }

    /** The terminal signal for a stream that a close or an invalid request ended (a cancelled one gets none). */
    private void endBySignal() {
        int s = demand.signal();
        assert s == Demand.CLOSED || s == Demand.INVALID : "ended by signal " + s + ": " + this;
        if (s == Demand.CLOSED) {
            signal(() -> subscriber.onError(jdbc.closedError("stream ended")));
        } else {
            signal(() -> subscriber.onError(new IllegalArgumentException(
                    "request(n) needs n > 0 (Reactive Streams rule 3.9), was " + demand.invalidRequest())));
        }
    }

    /** Calls a terminal method of the subscriber; what it throws goes to the uncaught-exception handler. */
    private void signal(Runnable terminal) {
        try {
            terminal.run();
        } catch (Throwable failure) {
            uncaught(failure);
        }
    }

    private static void uncaught(Throwable failure) {
        Thread self = Thread.currentThread();
        self.getUncaughtExceptionHandler().uncaughtException(self, failure);
    }

    @Override
    public String toString() {
        return "RowStream[" + sql + ", requested=" + demand.requested() + ", signal=" + demand.signal() + "]";
    }
}
