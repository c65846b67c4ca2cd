package io.vtbridge.samples.jobqueue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The job server's routes, apart from any HTTP server: a method, a path and a raw query in, a status
 * and a plain-text body out (the job queue of Ganeti's masterd, in miniature). A job is one line,
 * {@code id state version opsDone/ops}. Both front ends ({@link JobServer} over the JDK's HttpServer,
 * {@link LeanHttpServer} over plain sockets) answer with these.
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
 *       routes' wait timeout, 30 s in the sample; at most their longest wait)</td></tr>
 *   <tr><td>{@code POST /jobs/{id}/cancel}</td><td>cancels it (a change waiters see): 200 and its
 *       line; 409 if it had finished</td></tr>
 * </table>
 * A bad number is 400 naming it, anything else 404; a wait interrupted (its server shutting down)
 * is 503.
 *
 * <p>A long poll blocks the calling thread in {@link Job#awaitChange} until its answer is known: in
 * bridged code that is a suspended virtual thread, on a fixed pool a pool thread held for the wait.
 * The routing has returned by then: the waiting frames keep only the job and two numbers.
 *
 * <p><b>Threading:</b> thread-safe: {@link #answer} and {@link #written} from any number of handler
 * threads at once; jobs run on the runner.
 */
final class JobRoutes {

    /** Operations per job: default and largest. */
    static final int DEFAULT_OPS = 3;
    static final int MAX_OPS = 100;
    /** Milliseconds per operation: default and largest. */
    static final long DEFAULT_OP_MILLIS = 20;
    static final long MAX_OP_MILLIS = 600_000;
    /** The path of every route. */
    static final String JOBS = "/jobs";

    /**
     * One answer.
     *
     * @param status   the HTTP status code
     * @param body     plain text without its final newline; null for no body (a 304)
     * @param longPoll whether it ends a long poll with the change or with 304 (what
     *                 {@link #answeredWaits} counts once it is written)
     */
    record Answer(int status, String body, boolean longPoll) implements Routed {

        static Answer of(int status, String body) {
            return new Answer(status, body, false);
        }

        /** The body as sent: UTF-8, one newline after non-empty text; empty for none. */
        byte[] bodyBytes() {
            return body == null || body.isEmpty() ? new byte[0] : (body + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** What the routing makes of a request: an {@link Answer} now, or a {@link LongPoll} to wait for. */
    sealed interface Routed permits Answer, LongPoll {
    }

    /** A long poll to wait for: until {@code job}'s version exceeds {@code since}, at most {@code timeoutNanos}. */
    record LongPoll(Job job, long since, long timeoutNanos) implements Routed {
    }

    private final JobStore store;
    private final ExecutorService runner;
    private final Duration defaultWait;
    private final Duration maxWait;
    private final LongAdder answeredWaits = new LongAdder();  // long polls answered (written), by the handlers

    /**
     * @param store       the job list
     * @param runner      runs every job
     * @param defaultWait a long poll's timeout when the client gives none
     * @param maxWait     the longest timeout a client may ask for
     * @throws IllegalArgumentException if a wait is shorter than a second, or the default longer than the longest
     */
    JobRoutes(JobStore store, ExecutorService runner, Duration defaultWait, Duration maxWait) {
        this.store = Objects.requireNonNull(store, "store");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.defaultWait = Objects.requireNonNull(defaultWait, "defaultWait");
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
        if (defaultWait.toSeconds() < 1 || defaultWait.compareTo(maxWait) > 0) {
            throw new IllegalArgumentException("defaultWait must be in 1 s.." + maxWait.toSeconds() + " s: " + defaultWait);
        }
    }

    JobStore store() {
        return store;
    }

    /**
     * Answers {@code method path?rawQuery}; a long poll returns once its job has changed or its time
     * ran out. Never throws for a bad request: that is an answer too (400 or 404). An interrupt while
     * waiting is 503, with the thread's interrupt status kept.
     *
     * <p>The routing returns before a long poll waits: while it waits, only this frame and
     * {@link #await}'s are on the thread's stack above the front end's, holding the job and two numbers
     * (a parked virtual thread's frames are copied to the heap as they stand).
     *
     * @param path     the decoded path
     * @param rawQuery the query as sent (names and values are not decoded: all are plain numbers), or null
     */
    Answer answer(String method, String path, String rawQuery) {
        Routed routed;
        try {
            routed = route(method, path, rawQuery);
        } catch (IllegalArgumentException e) {
            return Answer.of(400, e.getMessage());
        }
        return routed instanceof LongPoll poll ? await(poll.job(), poll.since(), poll.timeoutNanos()) : (Answer) routed;
    }

    /** Counts {@code answer} once its front end has written it (a long poll's, in {@link #answeredWaits}). */
    void written(Answer answer) {
        if (answer.longPoll()) {
            answeredWaits.increment();
        }
    }

    /** Long polls answered so far (their answer written), with the change or with 304. */
    long answeredWaits() {
        return answeredWaits.sum();
    }

    // ---- routes ---------------------------------------------------------------------------------

    /** The answer to a request, or the long poll it asks for; never blocks. */
    private Routed route(String method, String path, String rawQuery) {
        if (!path.equals(JOBS) && !path.startsWith(JOBS + "/")) {
            return Answer.of(404, "no route " + method + " " + path);
        }
        String[] parts = path.length() <= JOBS.length() ? new String[0] : path.substring(JOBS.length() + 1).split("/");
        if (parts.length == 0 && method.equals("GET")) {
            return Answer.of(200, store.list().stream().map(Job.Snapshot::line).collect(Collectors.joining("\n")));
        }
        if (parts.length == 0 && method.equals("POST")) {
            return submit(rawQuery);
        }
        if (parts.length < 1 || parts.length > 2) {
            return Answer.of(404, "no route " + method + " " + path);
        }
        Job job = store.get(number("job id", parts[0], 1, Long.MAX_VALUE));
        String action = parts.length == 2 ? parts[1] : "";
        if (job == null) {
            return Answer.of(404, "no job " + parts[0]);
        } else if (action.isEmpty() && method.equals("GET")) {
            return Answer.of(200, job.snapshot().line());
        } else if (action.equals("wait") && method.equals("GET")) {
            return new LongPoll(job, since(rawQuery), timeoutNanos(rawQuery));
        } else if (action.equals("cancel") && method.equals("POST")) {
            Job.Snapshot after = job.cancel();
            return Answer.of(after == null ? 409 : 200, (after == null ? job.snapshot() : after).line());
        }
        return Answer.of(404, "no route " + method + " " + path);
    }

    private Answer submit(String rawQuery) {
        int ops = (int) number("ops", param(rawQuery, "ops", String.valueOf(DEFAULT_OPS)), 1, MAX_OPS);
        long opMillis = number("opMillis", param(rawQuery, "opMillis", String.valueOf(DEFAULT_OP_MILLIS)), 0, MAX_OP_MILLIS);
        Job job = store.submit(ops, opMillis);
        if (job == null) {
            return Answer.of(503, "job list full");
        }
        Future<?> run;
        try {
            run = runner.submit(() -> {
                JobWork.run(job);
                return null;
            });
        } catch (RejectedExecutionException e) {
            job.publish(JobState.ERROR, 0);
            return Answer.of(503, "job " + job.id() + " refused: " + e.getMessage());
        }
        job.started(run);
        return Answer.of(201, job.snapshot().line());
    }

    /** The long poll itself: 200 and the job's line once it changed, 304 when the time ran out, 503 if interrupted. */
    private static Answer await(Job job, long since, long timeoutNanos) {
        Job.Snapshot changed;
        try {
            changed = job.awaitChange(since, timeoutNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();                 // the server is shutting down
            return Answer.of(503, "server shutting down");
        }
        return changed == null ? new Answer(304, null, true) : new Answer(200, changed.line(), true);
    }

    private static long since(String rawQuery) {
        String since = param(rawQuery, "since", null);
        if (since == null) {
            throw new IllegalArgumentException("since is required: wait?since=VERSION");
        }
        return number("since", since, 0, Long.MAX_VALUE);
    }

    private long timeoutNanos(String rawQuery) {
        String timeout = param(rawQuery, "timeout", null);
        long seconds = timeout == null ? defaultWait.toSeconds() : number("timeout", timeout, 1, maxWait.toSeconds());
        return Duration.ofSeconds(seconds).toNanos();
    }

    // ---- parsing --------------------------------------------------------------------------------

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

    /**
     * The value of the last {@code name=value} pair of {@code rawQuery} (pairs separated by {@code &};
     * a pair without {@code =} or with an empty name is ignored), or {@code absent}.
     */
    static String param(String rawQuery, String name, String absent) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return absent;
        }
        String value = absent;
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            int eq = rawQuery.indexOf('=', start);
            if (eq > start && eq < end && eq - start == name.length() && rawQuery.startsWith(name, start)) {
                value = rawQuery.substring(eq + 1, end);
            }
            start = end + 1;
        }
        return value;
    }
}
