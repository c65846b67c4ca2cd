package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child JVM of {@link StreamTest#aResultLargerThanTheHeapStreamsInBoundedMemory}: run with a
 * 32 MB heap, it streams a million distinct rows of 100 characters (100 million characters, about
 * 140 MB as Java strings; each row differs, since H2 shares equal strings) through
 * {@link AsyncJdbc#stream}, requesting 64 rows at a time, and prints the rows, the characters and
 * how far the producer got ahead of the demand (at most 0: never ahead). Collecting the rows
 * ({@link AsyncJdbc#query} of the same SELECT) ends in an {@link OutOfMemoryError} (checked by
 * hand). Exit code 0 on success, 1 otherwise.
 *
 * <p><b>Threading:</b> the main thread waits; the subscriber runs on the producer's thread.
 */
public final class StreamInSmallHeap {

    private StreamInSmallHeap() {
    }

    public static void main(String[] args) throws Exception {
        String url = H2.url("small-heap", ";LAZY_QUERY_EXECUTION=TRUE");
        try (Bridge bridge = Bridge.builder().shards(1).build();
             AsyncJdbc jdbc = AsyncJdbc.builder(H2.unpooled(url), bridge).build()) {
            AtomicLong mapped = new AtomicLong();
            AtomicLong maxAhead = new AtomicLong(Long.MIN_VALUE);
            AtomicLong chars = new AtomicLong();
            RecordingSubscriber<String> subscriber = new RecordingSubscriber<>(64, false);
            subscriber.onEach(s -> chars.addAndGet(s.length()));
            jdbc.stream("select left(x || repeat('x', 100), 100) from system_range(1, 1000000)", List.of(), row -> {
                maxAhead.accumulateAndGet(mapped.incrementAndGet() - subscriber.requested.get(), Math::max);
                return row.getString(1);
            }).subscribe(subscriber);
            subscriber.done.get(100, TimeUnit.SECONDS);
            System.out.println("rows=" + subscriber.received.get() + " chars=" + chars.get() + " maxAhead=" + maxAhead.get()
                    + " heapMax=" + Runtime.getRuntime().maxMemory() / (1 << 20) + "MB violations=" + subscriber.violations);
            System.exit(subscriber.violations.isEmpty() && maxAhead.get() <= 0 ? 0 : 1);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
