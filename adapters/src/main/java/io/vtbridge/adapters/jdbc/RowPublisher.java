package io.vtbridge.adapters.jdbc;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * What {@link AsyncJdbc#stream} returns: a cold publisher of a query's rows. Each
 * {@link #subscribe} runs the query anew in a {@link RowStream} of its own (its own bridged producer
 * and connection); no connection is taken before a subscriber requests rows (and in
 * {@code Mode.SYNC} no producer is submitted).
 *
 * <p><b>Threading:</b> immutable; {@link #subscribe} from any thread.
 */
final class RowPublisher<T> implements Flow.Publisher<T> {

    private final AsyncJdbc jdbc;
    private final Object key;       // null: unkeyed (see Placement)
    private final String sql;
    private final List<Object> params;
    private final RowMapper<T> mapper;

    RowPublisher(AsyncJdbc jdbc, Object key, String sql, List<Object> params, RowMapper<T> mapper) {
        this.jdbc = jdbc;
        this.key = key;
        this.sql = sql;
        this.params = params;
        this.mapper = mapper;
    }

    /**
     * Starts a stream for {@code subscriber}: {@code onSubscribe} at once on this thread, rows as
     * requested on the producer's bridged thread. Returns normally even if {@code onSubscribe} throws
     * (rule 1.9): the subscription is then cancelled and the throwable goes to this thread's
     * uncaught-exception handler (rule 2.13).
     *
     * @throws NullPointerException if {@code subscriber} is null (Reactive Streams rule 1.9)
     */
    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        new RowStream<>(jdbc, key, sql, params, mapper, subscriber).start();
    }

    @Override
    public String toString() {
        return "RowPublisher[" + sql + (key != null ? ", key " + key : "") + "]";
    }
}
