package io.vtbridge.samples.http;

import io.vtbridge.samples.load.OpenLoop;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One side of the load: a JDK {@code HttpClient} on its own small pool of platform threads
 * ({@link LoadThreads#pool}), so the client never borrows the threads of the server under test, and
 * open-loop runs through it that also say how late the sending thread itself was.
 *
 * <p>A response with a status other than 200 completes its request exceptionally, so
 * {@link OpenLoop} counts it as failed.
 *
 * <p><b>Threading:</b> {@link #get} from any thread; {@link #openLoop} sends from the calling thread
 * (the sender), one run at a time; {@link #close} once, after the runs.
 */
public final class HttpLoad implements AutoCloseable {

    /** The histograms' range: 1 µs to 1 hour, as {@link OpenLoop}'s. */
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private final ExecutorService threads;
    private final HttpClient client;

    /** A client named {@code name} whose tasks run on {@code threads} platform threads of its own. */
    public HttpLoad(String name, int threads) {
        Objects.requireNonNull(name, "name");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive: " + threads);
        }
        this.threads = LoadThreads.pool(name, threads);
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(this.threads)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * What one open-loop run measured.
     *
     * @param result     the run: latency from the due time, counts
     * @param senderLate how late the sender called for each request, microseconds: the part of every
     *                   latency that is the load generator's and not the server's (exact while
     *                   {@code result.refused()} is 0; with refusals it overstates)
     * @param fromSend   latency of the requests answered 200 from the moment each was sent,
     *                   microseconds: without the sender's lateness
     */
    public record Paced(OpenLoop.Result result, Histogram senderLate, Histogram fromSend) {

        /** Sender lateness at {@code percentile} (0–100), milliseconds. */
        public double senderLateMillis(double percentile) {
            return millis(senderLate, percentile);
        }

        /** Latency from send at {@code percentile} (0–100), milliseconds. */
        public double fromSendMillis(double percentile) {
            return millis(fromSend, percentile);
        }

        private static double millis(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /** Sends a GET for {@code uri}; the future fails if the status is not 200. */
    public CompletableFuture<HttpResponse<String>> get(URI uri) {
        return send(uri).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode() + " from " + uri + ": " + response.body());
            }
            return response;
        });
    }

    /** Sends a GET for {@code uri}; the future holds the response, whatever its status. */
    public CompletableFuture<HttpResponse<String>> send(URI uri) {
        return client.sendAsync(HttpRequest.newBuilder(uri).GET().build(), BodyHandlers.ofString());
    }

    /**
     * Sends a GET for {@code uris.get()} {@code perSecond} times a second for {@code duration} with
     * {@link OpenLoop}, from the calling thread (which is also the only one that calls {@code uris}).
     */
    public Paced openLoop(String name, Supplier<URI> uris, double perSecond, Duration duration, int maxInFlight)
            throws InterruptedException {
        Objects.requireNonNull(uris, "uris");
        SenderClock clock = new SenderClock(perSecond);
        Histogram fromSend = new ConcurrentHistogram(HIGHEST_MICROS, 3);
        OpenLoop.Result result = OpenLoop.run(name, perSecond, duration, maxInFlight, () -> {
            long sent = clock.called();
            return get(uris.get()).whenComplete((response, failure) -> {
                if (failure == null) {
                    fromSend.recordValue(micros(System.nanoTime() - sent));
                }
            });
        });
        return new Paced(result, clock.late, fromSend);
    }

    /**
     * How many requests {@link #warmUp} should send for a warm-up of {@code warmup}: 5,000 a second
     * of it, between 500 and 20,000. The JIT needs a count of requests, not a time; on 2 cores at a
     * few hundred requests a second, CPU time per request was still falling after 30 s.
     */
    public static int jitWarmupRequests(Duration warmup) {
        return (int) Math.clamp(warmup.toMillis() * 5, 500, 20_000);
    }

    /**
     * Sends {@code requests} GETs for {@code uris.get()} as fast as they are answered,
     * {@code concurrency} at a time, and waits for the last (the JIT's warm-up: a fixed count of
     * requests, however fast the machine); what they answer is not looked at. Gives up when
     * {@code max} has passed: a server that does not answer (a starved one) cannot hold the sample.
     *
     * @return whether every request was answered within {@code max}
     */
    public boolean warmUp(Supplier<URI> uris, int requests, int concurrency, Duration max) throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        long deadline = System.nanoTime() + max.toNanos();
        for (int i = 0; i < requests; i++) {
            if (!slots.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                return false;                              // the outstanding ones are abandoned by close()
            }
            CompletableFuture<HttpResponse<String>> sent;
            try {
                sent = send(uris.get());
            } catch (RuntimeException e) {
                slots.release();
                continue;
            }
            sent.whenComplete((response, failure) -> slots.release());
        }
        if (!slots.tryAcquire(concurrency, deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        slots.release(concurrency);
        return true;
    }

    /**
     * Closes the client (its connections and selector thread; outstanding requests are abandoned)
     * and its thread pool, waiting up to 10 seconds for each.
     */
    @Override
    public void close() throws InterruptedException {
        client.shutdownNow();
        boolean clientDone = client.awaitTermination(Duration.ofSeconds(10));
        threads.shutdownNow();
        boolean threadsDone = threads.awaitTermination(10, TimeUnit.SECONDS);
        if (!clientDone || !threadsDone) {
            throw new IllegalStateException("the load generator did not stop within 10 s (client "
                    + (clientDone ? "stopped" : "running") + ", its threads " + (threadsDone ? "stopped" : "running") + ")");
        }
    }

    /** {@code nanos} in microseconds, clamped to the histograms' range. */
    private static long micros(long nanos) {
        return Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000));
    }

    /**
     * The sender's lateness, measured as {@link OpenLoop} spaces its requests: the n-th call is due
     * n intervals after the first. Only the sending thread calls {@link #called}.
     */
    private static final class SenderClock {

        private final long interval;
        private final Histogram late = new Histogram(HIGHEST_MICROS, 3);
        private long first;       // sender thread only
        private long calls;       // sender thread only

        SenderClock(double perSecond) {
            this.interval = Math.max(1, Math.round(1e9 / perSecond));  // OpenLoop's spacing
        }

        /** Records how late this call is; returns the time of the call (the send). */
        long called() {
            long now = System.nanoTime();
            if (calls == 0) {
                first = now;
            }
            long due = first + calls * interval;
            calls++;
            late.recordValue(micros(now - due));
            return now;
        }
    }
}
