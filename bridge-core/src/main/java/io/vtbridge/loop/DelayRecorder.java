package io.vtbridge.loop;

import io.vtbridge.monitor.DelayCause;
import io.vtbridge.monitor.DelayHistogram;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The scheduling-delay histograms of one loop, one per {@link DelayCause}: written by the loop as it
 * mounts each continuation, read as {@link DelayHistogram} snapshots by monitoring threads.
 *
 * <p><b>Threading:</b> {@link #record} by the loop's owner only (single writer, {@code setOpaque});
 * {@link #snapshot} from any thread ({@code getOpaque}: no torn counts; a snapshot taken while the
 * loop records may be a few delays behind, and its buckets may be a moment apart).
 */
final class DelayRecorder {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final DelayCause[] CAUSES = DelayCause.values();

    private final long[] counts = new long[CAUSES.length * DelayHistogram.BUCKETS]; // setOpaque by the owner, getOpaque by readers
    private final long[] max = new long[CAUSES.length];                              // likewise

    /** Records one delay of {@code nanos} for cause number {@code cause}. Owner only. */
    void record(int cause, long nanos) {
        int i = cause * DelayHistogram.BUCKETS + DelayHistogram.bucketOf(nanos);
        SLOT.setOpaque(counts, i, counts[i] + 1);
        if (nanos > max[cause]) {
            SLOT.setOpaque(max, cause, nanos);
        }
    }

    /** A snapshot of {@code cause}'s histogram. Any thread. */
    DelayHistogram snapshot(DelayCause cause) {
        long[] c = new long[DelayHistogram.BUCKETS];
        int base = cause.ordinal() * DelayHistogram.BUCKETS;
        for (int b = 0; b < c.length; b++) {
            c[b] = (long) SLOT.getOpaque(counts, base + b);
        }
        return new DelayHistogram(c, (long) SLOT.getOpaque(max, cause.ordinal()));
    }
}
