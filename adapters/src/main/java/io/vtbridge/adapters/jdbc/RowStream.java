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
 * <p><b>The producer</b> waits (parked: its virtual thread unmounts) for the first request before it
 * takes a connection permit and a connection, then runs the query in a {@link LocalTransaction} with
 * a forward-only, read-only statement and the builder's fetch size. It reads a row only when there
 * is demand for it, maps it and calls {@code onNext} on its own thread, so it is never ahead of the
 * demand: no buffer of its own, only the driver's fetch buffer. With no demand it parks, holding its
 * connection. It ends when the rows run out (commit, then {@code onComplete}), on a failure (roll
 * back, then {@code onError} with the original exception), on {@code cancel()} (roll back, no
 * signal), or when the {@link AsyncJdbc} closes ({@code onError} with {@link AsyncJdbcClosedException}).
 * In every case the result set, statement and connection are closed and the permit is released
 * <em>before</em> the terminal signal, on the producer's thread (JDBC objects never see two threads).
 * A {@code cancel()} while the producer waits for demand takes effect at once; while it is inside
 * the driver, when the driver returns.
 *
 * <p>Reactive Streams rules kept: {@code onSubscribe} first, on the subscribing thread, before the
 * producer is submitted; signals serial; at most the requested {@code onNext}s; one terminal signal;
 * nothing after {@code cancel()}; {@code request(n <= 0)} ends the stream with
 * {@link IllegalArgumentException} (3.9); demand saturates at {@code Long.MAX_VALUE} (3.17); a
 * subscriber method that throws cancels the subscription, and the throwable goes to the producer
 * thread's uncaught-exception handler (2.13); a null row value is a failure
 * ({@link NullPointerException}).
 *
 * <p><b>Threading:</b> {@link #request} and {@link #cancel} from any thread (Reactive Streams rule
 * 2.7 asks subscribers to call them serially); everything else on the producer's thread, except
 * {@link #start} (the subscribing thread) and {@link #ownerClosed} (the closing thread).
 */
final class RowStream<T> implements Flow.Subscription {

    private final AsyncJdbc jdbc;
    private final String sql;
    private final List<Object> params;
    private final RowMapper<T> mapper;
    private final Flow.Subscriber<? super T> subscriber;
    private final Demand demand = new Demand();
    private final AtomicBoolean claimed = new AtomicBoolean(); // the producer when it starts, or the submission's failure handler if it never will: the one that wins sends the terminal signal
    private Throwable subscriberFailure;                       // producer thread only

    RowStream(AsyncJdbc jdbc, String sql, List<Object> params, RowMapper<T> mapper, Flow.Subscriber<? super T> subscriber) {
        this.jdbc = jdbc;
        this.sql = sql;
        this.params = params;
        this.mapper = mapper;
        this.subscriber = subscriber;
    }

    /** On the subscribing thread: {@code onSubscribe}, then the producer's submission (on {@code key}'s shard if not null). */
    void start(Object key) {
        boolean registered = jdbc.streams().add(this);
        try {
            subscriber.onSubscribe(this);
        } catch (Throwable failure) {
            jdbc.streams().remove(this);
            throw failure;
        }
        if (!registered) {
            if (demand.signal() != Demand.CANCELLED) {
                subscriber.onError(jdbc.closedError("stream refused"));
            }
            return;
        }
        if (demand.signal() == Demand.CANCELLED) {
            jdbc.streams().remove(this); // cancelled in onSubscribe: nothing to run
            return;
        }
        CompletableFuture<Void> producer = jdbc.submit(key, this::produce);
        producer.whenComplete((ignored, failure) -> {
            if (failure != null && claimed.compareAndSet(false, true)) { // the producer never ran: rejected or cancelled
                jdbc.streams().remove(this);
                signal(() -> subscriber.onError(failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure));
            }
        });
    }

    @Override
    public void request(long n) {
        demand.request(n);
    }

    @Override
    public void cancel() {
        demand.cancel();
    }

    /** The owning {@link AsyncJdbc} closed: the producer ends with {@link AsyncJdbcClosedException}. */
    void ownerClosed() {
        demand.close();
    }

    /** The producer's body, on its bridged thread. Never throws: every outcome is a signal. */
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
        if (completed) {
            signal(subscriber::onComplete);
        } else if (failure != null) {
            Throwable f = failure;
            signal(() -> subscriber.onError(f));
        } else {
            endBySignal();
        }
        return null;
    }

    /** Runs the query and delivers rows; {@code true} if the rows ran out, {@code false} if a signal ended it. */
    private boolean pump() throws Exception {
        if (demand.await() == 0) {
            return false; // ended before the first request: no connection taken
        }
        jdbc.enter();
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
        } finally {
            jdbc.exit();
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
                demand.consume();
                try {
                    subscriber.onNext(value);
                } catch (Throwable failure) {
                    subscriberFailure = failure; // rule 2.13: the subscription is cancelled
                    demand.cancel();
                    return false;
                }
                if (demand.signal() != Demand.NONE) {
                    return false;
                }
            }
        }
    }

    private void endBySignal() {
        switch (demand.signal()) {
            case Demand.CLOSED -> signal(() -> subscriber.onError(jdbc.closedError("stream ended")));
            case Demand.INVALID -> signal(() -> subscriber.onError(new IllegalArgumentException(
                    "request(n) needs n > 0 (Reactive Streams rule 3.9), was " + demand.invalidRequest())));
            default -> { // CANCELLED: no signal
                if (subscriberFailure != null) {
                    uncaught(subscriberFailure);
                }
            }
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
