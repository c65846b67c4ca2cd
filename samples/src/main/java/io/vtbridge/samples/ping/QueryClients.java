package io.vtbridge.samples.ping;

import io.vtbridge.samples.http.HttpLoad;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The query load: {@code clients} closed-loop clients, each sending its next {@code /query} as soon as
 * the previous one is answered (dashboards refreshing as fast as they can). The server then always
 * has up to {@code clients} queries to work on, so its CPU stays busy, and the backlog is bounded by
 * the clients, whatever the server does.
 *
 * <p>A 503 (the bridge's CPU pool refused the query: its queue was full) is counted apart from a
 * failure (any other status, or no response).
 *
 * <p><b>Threading:</b> the loops run on the client's threads; counters from any thread;
 * {@link #stop} once, from a thread that is not the client's.
 */
final class QueryClients {

    private final HttpLoad client;
    private final URI uri;
    private final CountDownLatch ended;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Histogram latency = new ConcurrentHistogram(TimeUnit.HOURS.toMicros(1), 3); // from send, µs
    private volatile boolean stopped;                     // set by stop(); read before each send

    private QueryClients(HttpLoad client, URI uri, int clients) {
        this.client = client;
        this.uri = uri;
        this.ended = new CountDownLatch(clients);
    }

    /** Starts {@code clients} loops sending {@code uri} through {@code client}. */
    static QueryClients start(HttpLoad client, URI uri, int clients) {
        QueryClients load = new QueryClients(client, uri, clients);
        for (int i = 0; i < clients; i++) {
            load.next();
        }
        return load;
    }

    private void next() {
        if (stopped) {
            ended.countDown();
            return;
        }
        long sent = System.nanoTime();
        client.send(uri).whenComplete((response, failure) -> {
            if (failure == null && response.statusCode() == 200) {
                latency.recordValue(Math.min(latency.getHighestTrackableValue(), (System.nanoTime() - sent) / 1000));
                ok.incrementAndGet();
            } else if (failure == null && response.statusCode() == 503) {
                rejected.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
            next();
        });
    }

    /** Queries answered 200 so far. */
    long ok() {
        return ok.get();
    }

    /** Queries answered 503 (overloaded) so far. */
    long rejected() {
        return rejected.get();
    }

    /** Queries that failed otherwise so far. */
    long failed() {
        return failed.get();
    }

    /** Latency of the queries answered 200, from send, microseconds (reset by {@link #resetLatency}). */
    Histogram latency() {
        return latency;
    }

    /** Forgets the latencies recorded so far (the warm-up's). */
    void resetLatency() {
        latency.reset();
    }

    /**
     * Lets every loop finish its query in flight and send no more; waits up to {@code seconds}.
     *
     * @return whether every loop ended in time
     */
    boolean stop(long seconds) throws InterruptedException {
        stopped = true;
        return ended.await(seconds, TimeUnit.SECONDS);
    }
}
