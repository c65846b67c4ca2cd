package io.vtbridge.samples.jobqueue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Many idle clients: opens {@code count} long polls ({@code GET /jobs/{id}/wait?since=V}) on one job
 * with {@link HttpClient#sendAsync} at a bounded rate of connection setups (HTTP/1.1: one connection
 * per outstanding request), and tallies how they end: the change they waited for, a 304 timeout, or
 * a failure.
 *
 * <p>Its {@link #main} is the child JVM of the 10,000-waiter run ({@link WaiterChild}): 10,000
 * connections have two ends, 20,000 file descriptors, more than one process may open here, and a
 * child keeps the clients' threads and heap out of the server's figures. The child prints
 * {@code SENT n} once every request is sent and {@code DONE sent changed timedOut failed [first
 * failure]} once all have ended, and exits if its standard input closes (its parent is gone).
 * It uses the JDK alone, so its class path is this class's own folder or jar.
 *
 * <p><b>Threading:</b> {@link #open} from one thread, once; the tallies are counted from the
 * client's threads; {@link #awaitAll} from any thread.
 */
final class WaitClients {

    /** How a set of long polls ended. */
    record Tally(int sent, int changed, int timedOut, int failed, String firstFailure) {

        /** The {@code DONE} line of the child. */
        String line() {
            return "DONE " + sent + " " + changed + " " + timedOut + " " + failed
                    + (firstFailure == null ? "" : " " + firstFailure.replace('\n', ' '));
        }

        /** Parses a {@link #line()}. */
        static Tally parse(String line) {
            String[] f = line.split(" ", 6);
            return new Tally(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]), f.length > 5 ? f[5] : null);
        }
    }

    private final HttpClient client;
    private final URI uri;
    private final long since;
    private final Duration requestTimeout;
    private final AtomicInteger changed = new AtomicInteger();
    private final AtomicInteger timedOut = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private volatile CountDownLatch ended;               // set by open, counted down by the client's threads
    private volatile int sent;                           // written by open, read by awaitAll

    /**
     * @param timeoutSeconds the wait the server is asked for; the client gives up 30 s after it
     */
    WaitClients(HttpClient client, int port, long jobId, long since, long timeoutSeconds) {
        this.client = client;
        this.since = since;
        this.uri = URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port
                + "/jobs/" + jobId + "/wait?since=" + since + "&timeout=" + timeoutSeconds);
        this.requestTimeout = Duration.ofSeconds(timeoutSeconds + 30);
    }

    /** Sends {@code count} long polls, {@code perSecond} at most per second; returns once all are sent. */
    void open(int count, double perSecond) {
        ended = new CountDownLatch(count);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build();
        long interval = Math.max(1, Math.round(1e9 / perSecond));
        long due = System.nanoTime();
        for (int i = 0; i < count; i++, due += interval) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, failure) -> ended(response, failure));
            sent = i + 1;
        }
    }

    /** Waits up to {@code max} for every long poll to end; returns the tally so far either way. */
    Tally awaitAll(Duration max) throws InterruptedException {
        ended.await(max.toNanos(), TimeUnit.NANOSECONDS);
        return tally();
    }

    /** The tally now. */
    Tally tally() {
        return new Tally(sent, changed.get(), timedOut.get(), failed.get(), firstFailure.get());
    }

    private void ended(HttpResponse<String> response, Throwable failure) {
        if (failure != null) {
            fail(failure.toString());
        } else if (response.statusCode() == 304) {
            timedOut.incrementAndGet();
        } else if (response.statusCode() == 200 && version(response.body()) > since) {
            changed.incrementAndGet();
        } else {
            fail("HTTP " + response.statusCode() + ": " + response.body().strip());
        }
        ended.countDown();
    }

    private void fail(String why) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, why);
    }

    /** The version field of a job line ({@code id state version opsDone/ops}); -1 if there is none. */
    static long version(String line) {
        String[] fields = line.strip().split(" ");
        try {
            return fields.length >= 3 ? Long.parseLong(fields[2]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The child JVM: {@code PORT JOB SINCE COUNT PER_SECOND TIMEOUT_SECONDS}. Prints {@code SENT n},
     * then the {@code DONE} line; exits with 3 if its standard input closes first.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        long job = Long.parseLong(args[1]);
        long since = Long.parseLong(args[2]);
        int count = Integer.parseInt(args[3]);
        double perSecond = Double.parseDouble(args[4]);
        long timeoutSeconds = Long.parseLong(args[5]);
        Thread orphanWatch = new Thread(WaitClients::exitWhenInputCloses, "parent-watch");
        orphanWatch.setDaemon(true);
        orphanWatch.start();
        ExecutorService executor = Executors.newFixedThreadPool(2);  // not a thread per burst of answers
        try (executor; HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).executor(executor).build()) {
            WaitClients clients = new WaitClients(client, port, job, since, timeoutSeconds);
            clients.open(count, perSecond);
            System.out.println("SENT " + count);
            System.out.flush();
            Tally tally = clients.awaitAll(Duration.ofSeconds(timeoutSeconds + 60));
            System.out.println(tally.line());
            System.out.flush();
        }
    }

    /** In the child: the parent closes our input when it is done or gone; then nothing is left to do. */
    private static void exitWhenInputCloses() {
        try (InputStream in = System.in) {
            while (in.read() >= 0) {
                // nothing is sent on it; only its end matters
            }
        } catch (IOException e) {
            // the same: the parent is gone
        }
        System.exit(3);
    }
}
