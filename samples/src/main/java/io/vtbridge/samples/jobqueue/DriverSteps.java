package io.vtbridge.samples.jobqueue;

import io.vtbridge.samples.load.OpenLoop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;

/**
 * The steps the sample's driver takes against a server, shared by its scenarios: a client, a job
 * that holds still until cancelled, the open-loop {@code GET /jobs} load (with job submissions
 * alongside), and waiting until the server has parked the waiters.
 *
 * <p><b>Threading:</b> the driver's thread; {@link #loads} runs the submissions on one more platform
 * thread, {@code loadgen-submit}, for the length of the load.
 */
final class DriverSteps {

    /** Job submissions per second alongside the {@code GET /jobs} load. */
    static final double SUBMIT_RATE = 10;

    /**
     * What a scenario hands the report.
     *
     * @param row     its measurements
     * @param threads the JVM's platform threads by owner, with the waiters parked
     * @param notes   anything else worth printing (a heap histogram), one line each
     */
    record Outcome(Result.Row row, Map<Footprint.Owner, List<String>> threads, List<String> notes) {
    }

    /** The two open loops of {@link #loads}. */
    record Loads(OpenLoop.Result list, OpenLoop.Result submit) {
    }

    private DriverSteps() {
    }

    /**
     * An HTTP/1.1 client (one connection per outstanding request) for the driver's own calls, whose
     * tasks run on {@code executor}: a small fixed pool, so the load generator does not grow a thread
     * per burst (the JDK's default is a cached pool) and take the CPU from the server it measures.
     */
    static HttpClient newClient(Executor executor) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(executor).build();
    }

    static URI uri(int port, String pathAndQuery) {
        return URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port + pathAndQuery);
    }

    /** Sends {@code method pathAndQuery}; returns the body, stripped, of a 2xx answer. */
    static String call(HttpClient client, int port, String method, String pathAndQuery)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(port, pathAndQuery)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + pathAndQuery + ": HTTP " + response.statusCode() + " "
                    + response.body().strip());
        }
        return response.body().strip();
    }

    /**
     * Submits a job that starts and then holds still in WAITING (for minutes) until it is cancelled,
     * and returns it once it is there: the job the waiters wait on, at the version they wait past.
     */
    static Job.Snapshot holdJob(HttpClient client, ServerUnderTest server) throws IOException, InterruptedException {
        String line = call(client, server.port(), "POST", "/jobs?ops=1&opMillis=" + JobRoutes.MAX_OP_MILLIS);
        long id = Long.parseLong(line.split(" ")[0]);
        Job job = server.store().get(id);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Job.Snapshot now = job.snapshot();
            if (now.state() == JobState.WAITING) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the held job did not start within 10 s: " + now.line());
            }
            Thread.sleep(2);                                 // polling a state the server owns
        }
    }

    /**
     * Waits up to {@code max} until {@code parked} reports {@code n}; returns the last reading. A
     * count that stops short (connections refused, say) is returned as it is, for the report.
     */
    static int awaitParked(IntSupplier parked, int n, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        int now = parked.getAsInt();
        while (now < n && System.nanoTime() < deadline) {
            Thread.sleep(10);                                // polling a counter: nothing to wait on
            now = parked.getAsInt();
        }
        return now;
    }

    /**
     * {@code GET /jobs} at {@code o.listRate()} per second for {@code o.listDuration()}, open loop, each
     * failing unless answered within {@code o.listTimeout()}; alongside, {@code POST /jobs} at
     * {@link #SUBMIT_RATE} (short jobs of 3 operations of 20 ms), on a thread of its own.
     */
    static Loads loads(HttpClient client, int port, Options o) throws InterruptedException {
        HttpRequest list = HttpRequest.newBuilder(uri(port, "/jobs")).timeout(o.listTimeout()).GET().build();
        HttpRequest submit = HttpRequest.newBuilder(uri(port, "/jobs?ops=3&opMillis=20")).timeout(o.listTimeout())
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        CompletableFuture<OpenLoop.Result> submits = new CompletableFuture<>();
        Thread submitter = Thread.ofPlatform().name("loadgen-submit").start(() -> {
            try {
                submits.complete(OpenLoop.run("POST /jobs", SUBMIT_RATE, o.listDuration(),
                        inFlightBound(SUBMIT_RATE, o), () -> expect(client, submit, 201)));
            } catch (Throwable e) {
                submits.completeExceptionally(e);
            }
        });
        OpenLoop.Result lists = OpenLoop.run("GET /jobs", o.listRate(), o.listDuration(), inFlightBound(o.listRate(), o),
                () -> expect(client, list, 200));
        submitter.join();
        return new Loads(frozen(lists), frozen(submits.join()));
    }

    /**
     * {@code r} with a copy of its histogram: the one {@link OpenLoop} returns keeps recording the
     * requests that complete after the run (a list the exhausted pool answers once the waiters
     * leave), which must not count as answered in time.
     */
    private static OpenLoop.Result frozen(OpenLoop.Result r) {
        return new OpenLoop.Result(r.name(), r.latency().copy(), r.sent(), r.ok(), r.failed(), r.refused(),
                r.unfinished(), r.seconds());
    }

    /**
     * A row of the result; {@code loads} null where the scenario ran no load, {@code heapPerWaiter}
     * NaN where it did not measure the heap.
     */
    static Result.Row row(String scenario, String server, int waiters, int parked, Loads loads, int threadsIdle,
                          int threads, int allThreads, double heapPerWaiter, int notified, double answeredMs,
                          double notifyMs) {
        OpenLoop.Result list = loads == null ? null : loads.list();
        OpenLoop.Result submit = loads == null ? null : loads.submit();
        return new Result.Row(scenario, server, waiters, parked,
                list == null ? 0 : list.sent(), list == null ? 0 : list.ok(), list == null ? 0 : list.failed(),
                list == null ? 0 : list.unfinished(), list == null ? 0 : list.refused(),
                list == null ? Double.NaN : list.millis(50),
                list == null ? Double.NaN : list.millis(99), list == null ? Double.NaN : list.maxMillis(),
                submit == null ? 0 : submit.sent(), submit == null ? 0 : submit.ok(),
                submit == null ? Double.NaN : submit.millis(99),
                threadsIdle, threads, allThreads, heapPerWaiter, notified, answeredMs, notifyMs);
    }

    /**
     * Changes {@code job} (cancels it, in-process), then waits up to {@code max} until the server has
     * answered {@code waiters} more long polls; returns the milliseconds from the change to then.
     */
    static double changeAndAwaitAnswers(ServerUnderTest server, long job, int waiters, Duration max)
            throws InterruptedException {
        long before = server.routes().answeredWaits();
        long changedAt = System.nanoTime();
        server.store().get(job).cancel();
        awaitParked(() -> (int) (server.routes().answeredWaits() - before), waiters, max);
        return (System.nanoTime() - changedAt) / 1e6;
    }

    /** Enough room for every request of one list timeout, and some: a stalled server is not refused. */
    private static int inFlightBound(double perSecond, Options o) {
        return (int) Math.min(4_096, Math.ceil(perSecond * o.listTimeout().toMillis() / 1_000.0) + 64);
    }

    private static CompletionStage<HttpResponse<String>> expect(HttpClient client, HttpRequest request, int status) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != status) {
                throw new IllegalStateException(request.method() + " " + request.uri().getPath() + ": HTTP "
                        + response.statusCode());
            }
            return response;
        });
    }
}
