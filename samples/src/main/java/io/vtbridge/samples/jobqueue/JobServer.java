package io.vtbridge.samples.jobqueue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * A job server over the JDK's {@link HttpServer}, on loopback (the job queue of Ganeti's masterd, in
 * miniature). Every answer is plain text; a job is one line, {@code id state version opsDone/ops}.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>{@code POST /jobs?ops=N&opMillis=M}</td><td>submits a job of N operations (default 3,
 *       1..100) of M ms each (default 20, 0..600,000): 201 and its line; 503 if the list is full or
 *       the runner refuses it</td></tr>
 *   <tr><td>{@code GET /jobs}</td><td>every job, one line each (the read lock of the list)</td></tr>
 *   <tr><td>{@code GET /jobs/{id}}</td><td>one job's line; 404 if unknown</td></tr>
 *   <tr><td>{@code GET /jobs/{id}/wait?since=V&timeout=S}</td><td>long poll: answers 200 and the
 *       job's line once its version exceeds V, or 304 when S seconds pass first (default: the
 *       server's wait timeout, 30 s in the sample; at most its longest wait)</td></tr>
 *   <tr><td>{@code POST /jobs/{id}/cancel}</td><td>cancels it (a change waiters see): 200 and its
 *       line; 409 if it had finished</td></tr>
 * </table>
 *
 * The server does not choose its threads: handlers run on the {@link Executor} it is given (a
 * {@code BridgeExecutorService}, where a long poll is a suspended virtual thread, or a fixed pool,
 * where it holds a pool thread for the whole wait), and jobs on the {@link ExecutorService} it is
 * given.
 *
 * <p><b>Threading:</b> {@link #start} and {@link #close} from one thread; the handlers run on the
 * handler executor, any number at once; jobs on the runner.
 */
final class JobServer implements AutoCloseable {

    /** Operations per job: default and largest. */
    static final int DEFAULT_OPS = 3;
    static final int MAX_OPS = 100;
    /** Milliseconds per operation: default and largest. */
    static final long DEFAULT_OP_MILLIS = 20;
    static final long MAX_OP_MILLIS = 600_000;

    private static final String JOBS = "/jobs";

    private final JobStore store;
    private final Executor handlers;
    private final ExecutorService runner;
    private final Duration defaultWait;
    private final Duration maxWait;
    private final LongAdder answeredWaits = new LongAdder();  // long polls answered (200 or 304), by the handlers
    private HttpServer server;                          // set by start, read by the caller's thread only

    /**
     * @param store       the job list
     * @param handlers    runs every exchange
     * @param runner      runs every job
     * @param defaultWait a long poll's timeout when the client gives none
     * @param maxWait     the longest timeout a client may ask for
     */
    JobServer(JobStore store, Executor handlers, ExecutorService runner, Duration defaultWait, Duration maxWait) {
        this.store = Objects.requireNonNull(store, "store");
        this.handlers = Objects.requireNonNull(handlers, "handlers");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.defaultWait = Objects.requireNonNull(defaultWait, "defaultWait");
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    }

    /** Binds to loopback on {@code port} (0: any free port) with the given accept backlog, and starts. */
    JobServer start(int port, int backlog) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backlog);
        server.createContext(JOBS, this::handle);
        server.setExecutor(handlers);
        server.start();
        return this;
    }

    /** The port the server listens on. */
    int port() {
        return server.getAddress().getPort();
    }

    JobStore store() {
        return store;
    }

    /** Stops listening and closes every connection; exchanges still running end on closed sockets. */
    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    // ---- routes ---------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String[] parts = path.length() <= JOBS.length() ? new String[0] : path.substring(JOBS.length() + 1).split("/");
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String method = exchange.getRequestMethod();
            try {
                if (parts.length == 0 && method.equals("GET")) {
                    respond(exchange, 200, store.list().stream().map(Job.Snapshot::line).collect(Collectors.joining("\n")));
                } else if (parts.length == 0 && method.equals("POST")) {
                    submit(exchange, query);
                } else if (parts.length >= 1 && parts.length <= 2) {
                    Job job = store.get(number("job id", parts[0], 1, Long.MAX_VALUE));
                    String action = parts.length == 2 ? parts[1] : "";
                    if (job == null) {
                        respond(exchange, 404, "no job " + parts[0]);
                    } else if (action.isEmpty() && method.equals("GET")) {
                        respond(exchange, 200, job.snapshot().line());
                    } else if (action.equals("wait") && method.equals("GET")) {
                        await(exchange, job, query);
                    } else if (action.equals("cancel") && method.equals("POST")) {
                        Job.Snapshot after = job.cancel();
                        respond(exchange, after == null ? 409 : 200, (after == null ? job.snapshot() : after).line());
                    } else {
                        respond(exchange, 404, "no route " + method + " " + path);
                    }
                } else {
                    respond(exchange, 404, "no route " + method + " " + path);
                }
            } catch (IllegalArgumentException e) {
                respond(exchange, 400, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();                 // the server is shutting down
                respond(exchange, 503, "server shutting down");
            }
        }
    }

    private void submit(HttpExchange exchange, Map<String, String> query) throws IOException {
        int ops = (int) number("ops", query.getOrDefault("ops", String.valueOf(DEFAULT_OPS)), 1, MAX_OPS);
        long opMillis = number("opMillis", query.getOrDefault("opMillis", String.valueOf(DEFAULT_OP_MILLIS)), 0, MAX_OP_MILLIS);
        Job job = store.submit(ops, opMillis);
        if (job == null) {
            respond(exchange, 503, "job list full");
            return;
        }
        Future<?> run;
        try {
            run = runner.submit(() -> {
                JobWork.run(job);
                return null;
            });
        } catch (RejectedExecutionException e) {
            job.publish(JobState.ERROR, 0);
            respond(exchange, 503, "job " + job.id() + " refused: " + e.getMessage());
            return;
        }
        job.started(run);
        respond(exchange, 201, job.snapshot().line());
    }

    private void await(HttpExchange exchange, Job job, Map<String, String> query) throws IOException, InterruptedException {
        String sinceText = query.get("since");
        if (sinceText == null) {
            throw new IllegalArgumentException("since is required: wait?since=VERSION");
        }
        long since = number("since", sinceText, 0, Long.MAX_VALUE);
        long timeoutSeconds = query.containsKey("timeout")
                ? number("timeout", query.get("timeout"), 1, maxWait.toSeconds())
                : defaultWait.toSeconds();
        Job.Snapshot changed = job.awaitChange(since, Duration.ofSeconds(timeoutSeconds).toNanos());
        if (changed == null) {
            respond(exchange, 304, null);
        } else {
            respond(exchange, 200, changed.line());
        }
        answeredWaits.increment();
    }

    /** Long polls answered so far (their answer written), with the change or with 304. */
    long answeredWaits() {
        return answeredWaits.sum();
    }

    // ---- parsing and answering ------------------------------------------------------------------

    /** {@code text} as a number in {@code min..max}; IllegalArgumentException naming {@code what} otherwise. */
    static long number(String what, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number: " + text);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be in " + min + ".." + max + ": " + text);
        }
        return value;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return params;
    }

    /** Sends {@code code} and {@code body} (null: no body, as a 304 must be). */
    private static void respond(HttpExchange exchange, int code, String body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (body == null) {
            exchange.sendResponseHeaders(code, -1);
            return;
        }
        byte[] bytes = (body.isEmpty() ? body : body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
