package io.vtbridge.samples.jobqueue;

import io.vtbridge.samples.load.Csv;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link JobQueueSample#run} measured: one {@link Row} per scenario and server, and the goals
 * with whether each was met.
 *
 * @param rows  the measurements, in the order they ran
 * @param goals one line per goal, each ending in "met" or "missed"
 * @param met   whether every goal was met
 *
 * <p><b>Threading:</b> immutable.
 */
public record Result(List<Row> rows, List<String> goals, boolean met) {

    /** Copies the lists. */
    public Result {
        rows = List.copyOf(rows);
        goals = List.copyOf(goals);
    }

    /** The CSV header: the names of {@link Row}'s fields, in order. */
    public static final List<String> HEADER = List.of("scenario", "server", "waiters", "parked", "list_sent", "list_ok",
            "list_failed", "list_unfinished", "list_refused", "list_p50_ms", "list_p99_ms", "list_max_ms", "submit_sent", "submit_ok",
            "submit_p99_ms", "server_threads_idle",
            "server_threads", "all_threads", "heap_per_waiter_bytes", "notified", "answered_ms", "notify_ms");

    /**
     * One scenario on one server. NaN where the scenario does not measure a figure.
     *
     * @param scenario          {@code attack} (idle waiters against the server's threads), {@code long-poll}
     *                          (thousands of idle waiters over HTTP), {@code bare-waiters} (the same
     *                          waiters as bridged tasks, no HTTP)
     * @param server            {@code fixed-N}, {@code bridge} (the JDK's HttpServer on a bridge) or
     *                          {@code bridge-lean} ({@link LeanHttpServer} on a bridge)
     * @param waiters           long polls the run asked for
     * @param parked            waiters parked in the server at the measurement
     * @param listSent          {@code GET /jobs} sent while they waited (open loop)
     * @param listOk            answered within the list timeout
     * @param listFailed        failed, mostly by the list timeout
     * @param listUnfinished    still outstanding when the load's grace period ended
     * @param listRefused       due but not sent: the load generator's bound of outstanding requests was reached
     * @param listP50Ms         median latency of the answered ones, from their due time
     * @param listP99Ms         99th percentile
     * @param listMaxMs         largest
     * @param submitSent        {@code POST /jobs} sent alongside the list load (open loop)
     * @param submitOk          answered (201) within the list timeout
     * @param submitP99Ms       their 99th percentile latency from the due time
     * @param serverThreadsIdle the server's platform threads before any waiter came
     * @param serverThreads     the server's platform threads with the waiters parked
     * @param allThreads        every platform thread of the JVM then (with the load generator's)
     * @param heapPerWaiter     heap after GC with the waiters minus before, per waiter, bytes (an estimate)
     * @param notified          waiters that got the change they waited for
     * @param answeredMs        from the change until the server had answered every waiter (the
     *                          answer written), milliseconds; for the bare waiters, until every one returned
     * @param notifyMs          from the change until every client had its answer, milliseconds
     */
    public record Row(String scenario, String server, int waiters, int parked, long listSent, long listOk,
                      long listFailed, long listUnfinished, long listRefused, double listP50Ms, double listP99Ms, double listMaxMs,
                      long submitSent, long submitOk, double submitP99Ms, int serverThreadsIdle, int serverThreads, int allThreads, double heapPerWaiter, int notified,
                      double answeredMs, double notifyMs) {

        /** {@code GET /jobs} that were due: sent or refused. */
        public long listDue() {
            return listSent + listRefused;
        }

        /** {@code GET /jobs} that were due and not answered within the list timeout. */
        public long listNotAnswered() {
            return listFailed + listUnfinished + listRefused;
        }

        /** The values in {@link #HEADER}'s order. */
        public List<Object> values() {
            return List.of(scenario, server, waiters, parked, listSent, listOk, listFailed, listUnfinished, listRefused,
                    round(listP50Ms), round(listP99Ms), round(listMaxMs), submitSent, submitOk, round(submitP99Ms),
                    serverThreadsIdle, serverThreads, allThreads,
                    Double.isNaN(heapPerWaiter) ? (Object) heapPerWaiter : (Object) Math.round(heapPerWaiter), notified,
                    round(answeredMs), round(notifyMs));
        }

        private static double round(double d) {
            return Double.isNaN(d) ? d : Math.round(d * 1000) / 1000.0;
        }
    }

    /** Writes the header and the rows to {@code file}. */
    public void writeCsv(Path file) throws IOException {
        List<List<?>> lines = new ArrayList<>();
        for (Row row : rows) {
            lines.add(row.values());
        }
        Csv.write(file, HEADER, lines);
    }

    /** The row of {@code scenario} on {@code server}, or null. */
    public Row row(String scenario, String server) {
        return rows.stream().filter(r -> r.scenario.equals(scenario) && r.server.equals(server)).findFirst().orElse(null);
    }
}
