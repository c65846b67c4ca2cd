package io.vtbridge.samples.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * One measured row: one mode in one round. Every field but {@code mode} is a number; loop figures
 * are -1 for the JDK modes (they have no loop). {@link #HEADER} and {@link #values()} are the CSV
 * form, {@link #parse} reads it back (the provider mode's child JVM hands its row over that way).
 *
 * <p><b>Threading:</b> immutable; any thread.
 *
 * @param round           the round (1 for a single run)
 * @param mode            the mode's label ({@link StorageMode#label()})
 * @param seconds         the measured window
 * @param opsPerSec       operations completed normally inside the window, per second
 * @param submitted       operations submitted in the measured phase (the window and the drain after it)
 * @param completed       of those, completed normally
 * @param failed          of those, failed or refused
 * @param gets            reads completed
 * @param puts            writes completed
 * @param checkpoints     durable checkpoints (commit + sync) completed
 * @param pingSent        pings sent in the window
 * @param pingOk          pings completed normally
 * @param pingLost        pings refused, failed or unfinished
 * @param pingP50Ms       ping latency from the due time, median, ms
 * @param pingP99Ms       99th percentile, ms
 * @param pingMaxMs       the largest, ms
 * @param stallMs         the longest loop stall: the longest iteration, hog or lag report, ms
 * @param iterationMs     the longest loop iteration that ended on its own carrier, ms
 * @param hogs            hog reports (one mount past the threshold)
 * @param lags            lag reports (one turn past the threshold)
 * @param handOffs        loops moved to a fresh carrier
 * @param fileReads       reads of the store's file (MVStore cache misses) in the measured phase
 * @param fileReadMiB     bytes those reads read, MiB
 * @param fileWrites      writes to the store's file in the measured phase
 * @param syncMaxMs       the longest {@code sync} of a checkpoint (MVStore's {@code FileChannel.force}), ms
 * @param writtenKeys     keys whose written value the reopened store holds
 * @param cpu             share of all processors the JVM used in the window, 0–1
 */
public record Row(int round, String mode, double seconds, double opsPerSec, long submitted, long completed,
                  long failed, long gets, long puts, long checkpoints, long pingSent, long pingOk, long pingLost,
                  double pingP50Ms, double pingP99Ms, double pingMaxMs, double stallMs, double iterationMs, long hogs,
                  long lags, long handOffs, long fileReads, double fileReadMiB, long fileWrites, double syncMaxMs, long writtenKeys,
                  double cpu) {

    /** The CSV header, in field order. */
    public static final List<String> HEADER = List.of("round", "mode", "seconds", "ops_per_s", "submitted", "completed",
            "failed", "gets", "puts", "checkpoints", "ping_sent", "ping_ok", "ping_lost", "ping_p50_ms", "ping_p99_ms",
            "ping_max_ms", "stall_ms", "iteration_ms", "hogs", "lags", "hand_offs", "file_reads", "file_read_mib", "file_writes", "sync_max_ms", "written_keys", "cpu");

    /** The values, in {@link #HEADER}'s order. */
    public List<Object> values() {
        return List.of(round, mode, seconds, opsPerSec, submitted, completed, failed, gets, puts, checkpoints, pingSent,
                pingOk, pingLost, pingP50Ms, pingP99Ms, pingMaxMs, stallMs, iterationMs, hogs, lags, handOffs,
                fileReads, fileReadMiB, fileWrites, syncMaxMs, writtenKeys, cpu);
    }

    /** The mode this row measured. */
    public StorageMode storageMode() {
        return StorageMode.byLabel(mode);
    }

    /**
     * Reads one CSV line written from {@link #values()} (no quoting: no field contains a comma).
     *
     * @throws IllegalArgumentException if the line does not have one value per column
     */
    static Row parse(String line) {
        String[] v = line.split(",", -1);
        if (v.length != HEADER.size()) {
            throw new IllegalArgumentException("a row of " + v.length + " values for " + HEADER.size() + " columns: " + line);
        }
        int i = 0;
        return new Row(Integer.parseInt(v[i++]), v[i++], d(v[i++]), d(v[i++]), l(v[i++]), l(v[i++]), l(v[i++]),
                l(v[i++]), l(v[i++]), l(v[i++]), l(v[i++]), l(v[i++]), l(v[i++]), d(v[i++]), d(v[i++]), d(v[i++]),
                d(v[i++]), d(v[i++]), l(v[i++]), l(v[i++]), l(v[i++]), l(v[i++]), d(v[i++]), l(v[i++]), d(v[i++]),
                l(v[i++]), d(v[i]));
    }

    /** The rows as CSV-ready lists, for {@code Csv.write}. */
    static List<List<?>> table(List<Row> rows) {
        List<List<?>> table = new ArrayList<>(rows.size());
        for (Row row : rows) {
            table.add(row.values());
        }
        return table;
    }

    private static double d(String s) {
        return Double.parseDouble(s);
    }

    private static long l(String s) {
        return Long.parseLong(s);
    }
}
