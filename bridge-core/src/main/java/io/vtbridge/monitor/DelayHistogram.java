package io.vtbridge.monitor;

import java.util.Arrays;

/**
 * A snapshot of one log-bucketed histogram of scheduling delays: how long continuations of one
 * {@link DelayCause} waited between becoming runnable and being mounted on their shard's loop.
 *
 * <p>Bucket 0 holds delays of 0 ns; bucket {@code i} (1..63) holds delays in
 * {@code [2^(i-1), 2^i - 1]} ns, so a bucket's width is its lower bound and a percentile read from
 * the buckets is at most twice the true value (and never above {@link #max()}, which is exact).
 * The delays themselves are measured with the loop's own clock readings, which it takes every few
 * mounts (see {@code docs/DESIGN.md}, "Shards and the loop turn"): below a few microseconds they are
 * coarse.
 *
 * <p><b>Threading:</b> immutable.
 */
public final class DelayHistogram {

    /** The number of buckets. */
    public static final int BUCKETS = 64;

    private static final DelayHistogram EMPTY = new DelayHistogram(new long[BUCKETS], 0);

    private final long[] counts;
    private final long count;
    private final long max;

    /**
     * @param counts the count of each bucket, {@value #BUCKETS} of them (copied)
     * @param max    the largest delay recorded, in nanoseconds
     */
    public DelayHistogram(long[] counts, long max) {
        if (counts.length != BUCKETS) {
            throw new IllegalArgumentException("counts must have " + BUCKETS + " buckets, had " + counts.length);
        }
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative, was " + max);
        }
        this.counts = counts.clone();
        this.count = Arrays.stream(counts).sum();
        this.max = max;
    }

    /** A histogram with nothing recorded. */
    public static DelayHistogram empty() {
        return EMPTY;
    }

    /** The bucket a delay of {@code nanos} falls in (negative delays count as 0). */
    public static int bucketOf(long nanos) {
        return nanos <= 0 ? 0 : 64 - Long.numberOfLeadingZeros(nanos);
    }

    /** The smallest delay bucket {@code i} holds, in nanoseconds. */
    public static long lowerBound(int bucket) {
        checkBucket(bucket);
        return bucket == 0 ? 0 : 1L << (bucket - 1);
    }

    /** The largest delay bucket {@code i} holds, in nanoseconds. */
    public static long upperBound(int bucket) {
        checkBucket(bucket);
        return bucket == 0 ? 0 : bucket == 63 ? Long.MAX_VALUE : (1L << bucket) - 1;
    }

    private static void checkBucket(int bucket) {
        if (bucket < 0 || bucket >= BUCKETS) {
            throw new IndexOutOfBoundsException("bucket must be in 0.." + (BUCKETS - 1) + ", was " + bucket);
        }
    }

    /** The delays recorded. */
    public long count() {
        return count;
    }

    /** The count of bucket {@code i}. */
    public long bucketCount(int bucket) {
        checkBucket(bucket);
        return counts[bucket];
    }

    /** The largest delay recorded, in nanoseconds (0 if none). */
    public long max() {
        return max;
    }

    /**
     * The delay at or below which {@code percent} % of the recorded delays fall, read from the
     * buckets: the upper bound of the bucket that holds it, but not above {@link #max()}; 0 if
     * nothing was recorded.
     *
     * @param percent in 0..100
     */
    public long percentile(double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("percent must be in 0..100, was " + percent);
        }
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percent / 100 * count));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }

    @Override
    public String toString() {
        return count == 0 ? "DelayHistogram[empty]" : String.format(java.util.Locale.ROOT,
                "DelayHistogram[n=%d, p50=%.1f us, p99=%.1f us, max=%.1f us]", count,
                percentile(50) / 1e3, percentile(99) / 1e3, max / 1e3);
    }
}
