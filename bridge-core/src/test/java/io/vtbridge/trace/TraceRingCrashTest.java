package io.vtbridge.trace;

import io.vtbridge.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A child JVM appends to a mapped ring from three threads and prints {@code written W S} after each
 * append returns; a fourth thread appends without reporting (up to twice as many records as were
 * reported, and at most {@value #SILENT_AHEAD} per report it sees), so that the kill likely lands
 * inside an append. The parent kills the child ({@code destroyForcibly}, SIGKILL) while it writes
 * (the wrapping ring once it has wrapped), then reads the file: every record the child
 * reported must be there, each writer's records in order without gaps, and the walk must end cleanly
 * at the tail, having stepped over at most one uncommitted round per writer thread (the rounds being
 * copied when the child died; rounds commit independently, so committed ones may follow).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TraceRingCrashTest {

    private static final int CHILD_WRITERS = 3;
    private static final int PER_WRITER = 40_000;      // 120,000 records of 40 bytes: 4.8 MB
    private static final int CAPACITY = 16 << 20;      // with the silent writer's 240,000: 14.4 MB; nothing is overwritten
    private static final int WRAPPING = 128 << 10;     // 3,276 events a lap: 3,000 or more reported and up to twice as many
                                                       // silent wrap it one to three times, evicting in chunks of 8 KiB
    private static final int KILL_AFTER = 3_000;       // reported records before the kill (and, wrapping, a report that it wrapped)
    private static final int SILENT_AHEAD = 256;       // silent appends per change of the report count it sees (see main)
    private static final Pattern WRITTEN = Pattern.compile("written (\\d+) (\\d+)");

    /** The child: {@code FILE CAPACITY}. Appends events (shard = writer, thread id = seq) and reports each. */
    public static void main(String[] args) throws Exception {
        TraceRing ring = TraceRing.mapped(Path.of(args[0]), Integer.parseInt(args[1]));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.US_ASCII);
        java.util.concurrent.atomic.AtomicLong reportedCount = new java.util.concurrent.atomic.AtomicLong();
        boolean[] wrapReported = new boolean[1]; // guarded by out's monitor
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < CHILD_WRITERS; w++) {
            int id = w;
            threads.add(Thread.ofPlatform().start(() -> {
                for (long seq = 0; seq < PER_WRITER; seq++) {
                    ring.appendEvent(id, seq, 0, 0, seq * 31 + id);
                    synchronized (out) { // the report follows the append's return
                        out.println("written " + id + " " + seq);
                        if (!wrapReported[0] && ring.lost() > 0) {
                            wrapReported[0] = true;
                            out.println("wrapped"); // the wrapping test kills only after this line
                        }
                        out.flush();
                    }
                    reportedCount.incrementAndGet();
                }
            }));
        }
        // The silent writer's pacing keeps the wrapping test meaningful: some reporting writer's records
        // must still be in the ring at the kill. Bounded only by 2 x the reports, a silent writer that had
        // fallen behind could catch up while the reporting writers sat blocked on a full stdout pipe, and
        // append more than a lap (3,276 events of the 128 KiB ring) after their last records, evicting
        // them all. So it also appends at most SILENT_AHEAD records per change of the report count it
        // sees. Let X be the newest reporting record in the ring. A reporting writer reports each record
        // before it appends the next, so after X's append at most three reports are counted (X's, and one
        // outstanding per other reporting writer): the silent writer gets at most five budgets after X
        // (the one running, one for reports counted before X that it had not seen yet, one per later
        // report), at most 5 x 256 = 1,280 records, well under the 3,071 events the ring holds after an
        // eviction. X survives.
        Thread silent = Thread.ofPlatform().daemon().start(() -> {
            long reports = -1;   // the report count last seen
            int sinceReport = 0; // silent appends since it changed
            for (long seq = 0; ; ) {
                long r = reportedCount.get();
                if (r != reports) {
                    reports = r;
                    sinceReport = 0;
                }
                if (seq < 2 * r && sinceReport < SILENT_AHEAD) {
                    ring.appendEvent(CHILD_WRITERS, seq, 0, 0, seq * 31 + CHILD_WRITERS);
                    seq++;
                    sinceReport++;
                } else {
                    Thread.onSpinWait(); // pacing only: keeps the ring from filling up, and X in it (above)
                }
            }
        });
        for (Thread t : threads) {
            t.join();
        }
        out.println("finished");
        out.flush();
    }

    @Test
    void everyReportedRecordSurvivesAKill9(@TempDir Path dir) throws Exception {
        crash(dir, CAPACITY);
    }

    /**
     * The same with a ring that wraps: evictions in chunks, and a file header whose tail lags the
     * records (it moves only on eviction), so the reader walks past it to the end of the data. Every
     * reported record that was not evicted must be there: for each writer, from the oldest of its
     * records in the file on, none missing.
     */
    @Test
    void everyReportedRecordNotEvictedSurvivesAKill9OfAWrappingRing(@TempDir Path dir) throws Exception {
        crash(dir, WRAPPING);
    }

    private void crash(Path dir, int capacity) throws Exception {
        boolean wraps = capacity == WRAPPING;
        Path file = dir.resolve("crash.trace");
        // Its standard error joins its output; only the lines the child prints on purpose are parsed.
        Process child = ChildJvm.of(TraceRingCrashTest.class).args(file.toString(), Integer.toString(capacity)).start();
        Set<Long> reported = new HashSet<>(); // writer << 32 | seq
        boolean killed = false;
        boolean finished = false;
        boolean wrapped = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = lines.readLine()) != null) {
                Matcher m = WRITTEN.matcher(line);
                if (m.matches()) { // a line cut short by the kill does not count
                    reported.add(Long.parseLong(m.group(1)) << 32 | Long.parseLong(m.group(2)));
                } else if (line.equals("finished")) {
                    finished = true;
                } else if (line.equals("wrapped")) {
                    wrapped = true;
                }
                // The wrapping test waits until the ring has wrapped: the 3,000 reports alone fill only
                // 120,000 of its 131,072 bytes, and a silent writer kept behind by the scheduler (a queued
                // platform writer parks 25 us to 1 ms) may not have added the rest.
                if (!killed && reported.size() >= KILL_AFTER && (wrapped || !wraps)) {
                    // SIGKILL: no shutdown hook, no unmapping, no flush. Through the ProcessHandle, which
                    // (unlike Process.destroyForcibly) leaves the pipe open for the lines still in it.
                    child.toHandle().destroyForcibly();
                    killed = true;
                }
                // after the kill, keep reading: lines already in the pipe were reported too
            }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(killed).isTrue();
        assertThat(finished).as("the child was killed while writing").isFalse();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

        TraceReader reader = TraceReader.open(file);
        Set<Long> found = new HashSet<>();
        long[] next = new long[CHILD_WRITERS + 1];
        long[] first = new long[CHILD_WRITERS + 1];
        Arrays.fill(next, wraps ? -1 : 0); // wrapping: each writer's oldest record left sets its start
        Arrays.fill(first, -1);
        List<String> uncommitted = new ArrayList<>();
        long silentAfterReporting = 0; // silent records after the newest reporting record (the pacing bounds it)
        while (true) {
            while (reader.next()) {
                TraceEvent e = reader.event();
                silentAfterReporting = e.shard() == CHILD_WRITERS ? silentAfterReporting + 1 : 0;
                assertThat(e.nanoTime()).isEqualTo(e.threadId() * 31 + e.shard());
                if (next[e.shard()] < 0) {
                    next[e.shard()] = e.threadId();
                }
                if (first[e.shard()] < 0) {
                    first[e.shard()] = e.threadId();
                }
                // a writer whose record is in an uncommitted round never returned, so appended nothing after it
                assertThat(e.threadId()).as("writer %d's records are in its order, none missing", e.shard())
                        .isEqualTo(next[e.shard()]++);
                found.add((long) e.shard() << 32 | e.threadId());
            }
            if (reader.stop() != TraceReader.Stop.UNCOMMITTED) {
                break;
            }
            uncommitted.add(reader.stopDetail());
            if (!reader.skipUncommitted()) {
                break;
            }
        }
        assertThat(reader.stop()).as(reader.stopDetail()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        assertThat(reader.skippedRounds()).as("uncommitted rounds: %s", uncommitted)
                .isLessThanOrEqualTo(CHILD_WRITERS + 1);
        if (wraps) {
            assertThat(reader.headerLost()).as("the ring wrapped").isPositive();
            assertThat(reader.lost()).as("the reader starts after the evicted records").isPositive();
        } else {
            assertThat(reader.headerLost()).isZero();
        }
        assertThat(reported).hasSizeGreaterThanOrEqualTo(KILL_AFTER);
        Set<Long> missing = new HashSet<>();
        for (long r : reported) {
            int w = (int) (r >>> 32);
            long seq = r & 0xFFFF_FFFFL;
            if (!found.contains(r) && (!wraps || (first[w] >= 0 && seq >= first[w]))) {
                missing.add(r);
            }
        }
        if (wraps) {
            // a writer can have none left: while it slept in a park (up to 1 ms) the others may have
            // filled a whole lap of this small ring; the reported records of the others are checked
            assertThat(Arrays.stream(first, 0, CHILD_WRITERS).filter(f -> f >= 0).count())
                    .as("reporting writers with records left in the ring").isPositive();
        }
        assertThat(missing).as("reported written, not in the file").isEmpty();
        System.out.printf("TraceRingCrashTest (%d-byte ring): %d reported, %d in the file (%d silent after the newest"
                + " reporting record), %d lost, %d uncommitted rounds %s; header tail %d, %s%n", capacity, reported.size(),
                found.size(), silentAfterReporting, reader.lost(), reader.skippedRounds(), uncommitted,
                reader.headerTail(), reader.stopDetail());
    }
}
