package io.vtbridge.trace;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JZ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link TraceRing}: a writer that queued behind the tail lock is released only after the lock
 * holder has committed its record, so the moment its append returns, any reader finds the record
 * whole. In this package (split from bridge-core's) for {@link TraceRing#lockTail()} and
 * {@link TraceRing#unlockTail(long)}.
 *
 * <p>The state takes the tail lock before the actors start. The writer's append then either queues
 * and is written by the unlocker's batch (the path under test), or, if the unlock comes first, takes
 * the lock itself and writes in one pass. Either way, right after it returns, the writer reads the
 * ring: a record still BUSY (released before its commit) would show as {@code false}. The first
 * result says which path ran: 1 if the unlocker wrote the record for the queued writer.
 */
@JCStressTest
@Description("A writer queued behind a held tail lock returns only after its record is committed.")
@Outcome(id = "1, true", expect = ACCEPTABLE, desc = "The writer queued; the unlocker wrote its record (combined = 1), and it was readable, whole, when the append returned.")
@Outcome(id = "0, true", expect = ACCEPTABLE, desc = "The unlock came first; the writer took the lock itself (combined = 0); its record was readable, whole.")
@Outcome(expect = FORBIDDEN, desc = "The record was not yet readable (BUSY, or missing) or torn when its append returned.")
@State
public class TraceRingReleaseAfterCommitTest {

    final TraceRing ring = TraceRing.onHeap(1024);
    final long tail = ring.lockTail();

    @Actor
    public void writer(JZ_Result r) {
        long sequence = ring.appendEvent(7, 4242, 3, 1, 99);
        r.r1 = ring.combined(); // final once the append returned: set before the record's commit
        TraceReader reader = TraceReader.of(ring);
        if (reader.next()) {
            TraceEvent e = reader.event();
            r.r2 = sequence == 0 && reader.sequence() == 0 && e.shard() == 7 && e.threadId() == 4242 && e.kind() == 3
                    && e.phase() == 1 && e.nanoTime() == 99;
        }
    }

    @Actor
    public void unlocker() {
        // a little work first (no sleep: a few hundred spin hints), so that the writer, which loads
        // the tail twice after its CAS fails and then queues, often gets to queue: the path under test
        for (int i = 0; i < 300; i++) {
            Thread.onSpinWait();
        }
        ring.unlockTail(tail);
    }
}
