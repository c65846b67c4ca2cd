package io.vtbridge.jcstress;

import io.vtbridge.trace.TraceEvent;
import io.vtbridge.trace.TraceReader;
import io.vtbridge.trace.TraceRing;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link TraceRing}: the multi-writer trace ring (tail lock bit, BUSY tag, combining queue) and its
 * live {@link TraceReader}, which validates every copy against overwriting.
 *
 * <p>Record {@code k} is an event whose five fields all derive from {@code k} (shard {@code k}, thread
 * {@code 1000 + k}, kind {@code k % 8}, phase {@code k % 3}, time {@code 100 + k}). A reader that
 * returned a record whose fields disagree would have returned a torn record; it shows as {@code x}.
 * A reader stop other than "caught up" or "in progress" (a checksum mismatch, a bad frame) shows as
 * {@code !} and the stop's name. Result strings list the {@code k}s read, in order; {@code -} is
 * nothing. Event frames are 40 bytes: a ring of 1024 bytes holds 25, a ring of 128 bytes holds 3.
 */
public final class TraceRingTest {

    private TraceRingTest() {
    }

    static void append(TraceRing ring, int k) {
        ring.appendEvent(k, 1000 + k, k % 8, k % 3, 100 + k);
    }

    /** Reads until the reader stops; the ks read, or "-". */
    static String drain(TraceReader reader) {
        StringBuilder sb = new StringBuilder();
        while (reader.next()) {
            if (!reader.isEvent() || reader.length() != TraceEvent.SIZE) {
                sb.append('x');
                continue;
            }
            TraceEvent e = reader.event();
            int k = e.shard();
            boolean whole = e.threadId() == 1000 + k && e.kind() == k % 8 && e.phase() == k % 3
                    && e.nanoTime() == 100 + k;
            sb.append(whole ? String.valueOf(k) : "x");
        }
        TraceReader.Stop stop = reader.stop();
        if (stop != TraceReader.Stop.CAUGHT_UP && stop != TraceReader.Stop.IN_PROGRESS) {
            sb.append('!').append(stop);
        }
        return sb.isEmpty() ? "-" : sb.toString();
    }

    /** Two writers, room for all four records: the arbiter reads every record, whole, in a per-writer order. */
    @JCStressTest
    @Description("A appends 1, 2 and B appends 3, 4 into a ring with room for all: each merge keeping 1 before 2 and 3 before 4, nothing torn or lost.")
    @Outcome(id = {"1234, 0, 0", "3412, 0, 0"}, expect = ACCEPTABLE, desc = "One writer's appends both came before the other's.")
    @Outcome(id = {"1324, 0, 0", "1342, 0, 0", "3124, 0, 0", "3142, 0, 0"}, expect = ACCEPTABLE,
            desc = "Interleaved: uncontended appends alternated, or one writer queued and the lock holder wrote its record in its batch.")
    @Outcome(expect = FORBIDDEN, desc = "A torn record (x), a reader error (!), a lost, doubled or reordered record, or a loss counted with room left.")
    @State
    public static class TwoWriters {
        final TraceRing ring = TraceRing.onHeap(1024);

        @Actor
        public void writerA() {
            append(ring, 1);
            append(ring, 2);
        }

        @Actor
        public void writerB() {
            append(ring, 3);
            append(ring, 4);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            TraceReader reader = TraceReader.of(ring);
            r.r1 = drain(reader);
            r.r2 = reader.lost();
            r.r3 = ring.lost();
        }
    }

    /**
     * Two writers into a ring that holds three records: the fourth append overwrites the oldest. The
     * arbiter must find the newest three of the global order, whole, and exactly one counted lost.
     */
    @JCStressTest
    @Description("A appends 1, 2 and B appends 3, 4 into a ring holding 3: the newest three of a per-writer-ordered merge, the oldest counted lost.")
    @Outcome(id = {"234, 1, 1", "412, 1, 1"}, expect = ACCEPTABLE, desc = "Merge 1234 (or 3412): its first record was overwritten.")
    @Outcome(id = {"324, 1, 1", "342, 1, 1", "124, 1, 1", "142, 1, 1"}, expect = ACCEPTABLE,
            desc = "Merges 1324, 1342, 3124, 3142: their first record was overwritten.")
    @Outcome(expect = FORBIDDEN, desc = "A torn record, a reader error, a per-writer reorder, an overwrite not counted or counted twice.")
    @State
    public static class TwoWritersOverwrite {
        final TraceRing ring = TraceRing.onHeap(128);

        @Actor
        public void writerA() {
            append(ring, 1);
            append(ring, 2);
        }

        @Actor
        public void writerB() {
            append(ring, 3);
            append(ring, 4);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            TraceReader reader = TraceReader.of(ring);
            r.r1 = drain(reader);
            r.r2 = reader.lost();
            r.r3 = ring.lost();
        }
    }

    /**
     * A writer appends 1..5 into a ring that holds three (4 overwrites 1, 5 overwrites 2) while a
     * reader drains it; the arbiter drains the rest with the same reader. The reader may be lapped: it
     * then jumps to the oldest record and counts the gap. It must never return a torn record, and what
     * it returns plus what it counts lost must be all five. A lapped reader never stops right after its
     * jump: the record after the one it jumped to was committed before the overwrite that made it jump
     * (the writer's appends return committed), so {@code 2}, {@code 13} and {@code 3} alone are forbidden.
     */
    @JCStressTest
    @Description("append 1..5 into a ring holding 3 vs a live reader: every record returned whole, in order; read + lost = 5.")
    @Outcome(id = {"-, 345, 2", "1, 345, 1", "12, 345, 0", "123, 45, 0", "1234, 5, 0", "12345, -, 0"}, expect = ACCEPTABLE,
            desc = "The reader kept up for a prefix (or read nothing); the arbiter gets what is left of 3, 4, 5; the records neither read nor left (1, 2) are counted lost.")
    @Outcome(id = {"23, 45, 1", "234, 5, 1", "2345, -, 1"}, expect = ACCEPTABLE_INTERESTING,
            desc = "Lapped before its first read: 4 had overwritten 1, the reader jumped to 2 and counted 1 lost.")
    @Outcome(id = {"34, 5, 2", "345, -, 2"}, expect = ACCEPTABLE_INTERESTING,
            desc = "Lapped before its first read: 5 had overwritten 1 and 2, the reader jumped to 3.")
    @Outcome(id = {"134, 5, 1", "1345, -, 1"}, expect = ACCEPTABLE_INTERESTING,
            desc = "Lapped after reading 1: 5 overwrote 2 before (or while) the reader copied it; the copy was discarded, the reader jumped to 3.")
    @Outcome(expect = FORBIDDEN, desc = "A torn record (x), a reader error (!CHECKSUM, !BAD_FRAME...), a reorder, a record twice, read + lost != 5, or a stop right after a jump.")
    @State
    public static class WriterRacesReader {
        final TraceRing ring = TraceRing.onHeap(128);
        final TraceReader reader = TraceReader.of(ring);

        @Actor
        public void writer() {
            for (int k = 1; k <= 5; k++) {
                append(ring, k);
            }
        }

        @Actor
        public void reader(LLL_Result r) {
            r.r1 = drain(reader);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            r.r2 = drain(reader);
            r.r3 = reader.lost();
        }
    }
}
