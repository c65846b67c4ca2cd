package io.vtbridge.monitor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bucket math of the scheduling-delay histograms, at its edges. */
class DelayHistogramTest {

    @Test
    void bucketsAreLog2WithZeroAndNegativeInBucketZero() {
        assertThat(DelayHistogram.bucketOf(-5)).isZero();
        assertThat(DelayHistogram.bucketOf(0)).isZero();
        assertThat(DelayHistogram.bucketOf(1)).isEqualTo(1);
        assertThat(DelayHistogram.bucketOf(2)).isEqualTo(2);
        assertThat(DelayHistogram.bucketOf(3)).isEqualTo(2);
        assertThat(DelayHistogram.bucketOf(4)).isEqualTo(3);
        assertThat(DelayHistogram.bucketOf(1023)).isEqualTo(10);
        assertThat(DelayHistogram.bucketOf(1024)).isEqualTo(11);
        assertThat(DelayHistogram.bucketOf(Long.MAX_VALUE)).isEqualTo(63);
        for (int b = 1; b < DelayHistogram.BUCKETS; b++) {
            assertThat(DelayHistogram.bucketOf(DelayHistogram.lowerBound(b))).as("lower bound of %d", b).isEqualTo(b);
            assertThat(DelayHistogram.bucketOf(DelayHistogram.upperBound(b))).as("upper bound of %d", b).isEqualTo(b);
            assertThat(DelayHistogram.upperBound(b - 1) + 1).as("buckets %d and %d meet", b - 1, b)
                    .isEqualTo(DelayHistogram.lowerBound(b));
        }
        assertThat(DelayHistogram.lowerBound(0)).isZero();
        assertThat(DelayHistogram.upperBound(0)).isZero();
        assertThat(DelayHistogram.upperBound(63)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> DelayHistogram.lowerBound(64)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("was 64");
        assertThatThrownBy(() -> DelayHistogram.upperBound(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void percentilesAreBucketUpperBoundsCappedAtTheMax() {
        long[] counts = new long[DelayHistogram.BUCKETS];
        counts[DelayHistogram.bucketOf(100)] = 98;     // 64..127
        counts[DelayHistogram.bucketOf(5_000)] = 1;    // 4096..8191
        counts[DelayHistogram.bucketOf(900_000)] = 1;  // 524288..1048575
        DelayHistogram h = new DelayHistogram(counts, 900_000);
        assertThat(h.count()).isEqualTo(100);
        assertThat(h.percentile(50)).isEqualTo(127);
        assertThat(h.percentile(98)).isEqualTo(127);
        assertThat(h.percentile(99)).isEqualTo(8_191);
        assertThat(h.percentile(100)).as("capped at the exact max").isEqualTo(900_000);
        assertThat(h.percentile(0)).as("the smallest bucket holding a delay").isEqualTo(127);
        assertThat(h.max()).isEqualTo(900_000);
        assertThat(h.bucketCount(DelayHistogram.bucketOf(100))).isEqualTo(98);
    }

    @Test
    void emptyAndBadInput() {
        DelayHistogram empty = DelayHistogram.empty();
        assertThat(empty.count()).isZero();
        assertThat(empty.percentile(99)).isZero();
        assertThat(empty.max()).isZero();
        assertThat(empty.toString()).contains("empty");
        assertThatThrownBy(() -> empty.percentile(100.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("100.5");
        assertThatThrownBy(() -> empty.percentile(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DelayHistogram(new long[3], 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("had 3");
        assertThatThrownBy(() -> new DelayHistogram(new long[DelayHistogram.BUCKETS], -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void theCountsAreCopied() {
        long[] counts = new long[DelayHistogram.BUCKETS];
        counts[5] = 3;
        DelayHistogram h = new DelayHistogram(counts, 20);
        counts[5] = 100;
        assertThat(h.bucketCount(5)).isEqualTo(3);
    }
}
