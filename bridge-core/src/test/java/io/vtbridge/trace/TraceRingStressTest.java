package io.vtbridge.trace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Six writers (four platform threads, two virtual) append to a small ring for about 2.5 s while a
 * live reader drains it; the ring is small enough that the writers lap the reader. Every record the
 * reader returns must be whole (its own CRC, inside the payload, independent of the ring's checksum),
 * each writer's sequence numbers must rise strictly, and what was read plus what the reader counted
 * lost must be exactly what was appended.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TraceRingStressTest {

    private static final int WRITERS = 6;
    private static final int VIRTUAL_WRITERS = 2;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(2500);
    private static final long MAX_RUN_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final long MIN_READ = 50_000;  // the reader's share, whatever the machine's load (about 1 % of an unloaded run)

    /** Record {@code seq} of writer {@code w}: [w int][seq long][filler][crc int]; length 16..111 by seq. */
    static int encode(byte[] dst, int w, long seq) {
        int length = 16 + (int) ((seq * 13 + w * 5) % 96);
        ByteBuffer b = ByteBuffer.wrap(dst).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, w).putLong(4, seq);
        for (int i = 12; i < length - 4; i++) {
            dst[i] = (byte) (w * 31 + seq * 7 + i);
        }
        CRC32 crc = new CRC32();
        crc.update(dst, 0, length - 4);
        b.putInt(length - 4, (int) crc.getValue());
        return length;
    }

    /** Checks a record returned by the reader; returns a problem, or null. */
    static String check(ByteBuffer p, int length) {
        if (length < 16) {
            return "record of " + length + " bytes";
        }
        int w = p.getInt(0);
        long seq = p.getLong(4);
        byte[] expected = new byte[128];
        if (w < 0 || w >= WRITERS || seq < 0 || encode(expected, w, seq) != length) {
            return "record (writer " + w + ", seq " + seq + ", " + length + " bytes) is not one that was written";
        }
        for (int i = 0; i < length; i++) {
            if (p.get(i) != expected[i]) {
                return "record (writer " + w + ", seq " + seq + ") differs at byte " + i;
            }
        }
        return null;
    }

    @Test
    void concurrentWritersAndAReaderLoseNothingUncountedAndTearNothing() throws Exception {
        TraceRing ring = TraceRing.onHeap(4096, 128);
        long[] written = new long[WRITERS];
        java.util.concurrent.atomic.AtomicLong readSoFar = new java.util.concurrent.atomic.AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int id = w;
            Runnable body = () -> {
                byte[] record = new byte[128];
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long end = System.nanoTime() + RUN_NANOS;
                long hardEnd = System.nanoTime() + MAX_RUN_NANOS;
                long seq = 0;
                // Past RUN_NANOS the writers go on until the reader has read MIN_READ records (a
                // reader starved by a loaded machine gets its share), within MAX_RUN_NANOS.
                while ((seq & 63) != 0 || System.nanoTime() < end
                        || (readSoFar.get() < MIN_READ && System.nanoTime() < hardEnd)) {
                    int length = encode(record, id, seq);
                    ring.append(record, 0, length);
                    seq++;
                }
                written[id] = seq;
            };
            writers.add(w < VIRTUAL_WRITERS ? Thread.ofVirtual().unstarted(body) : Thread.ofPlatform().unstarted(body));
        }

        long[] lastSeq = new long[WRITERS];
        long[] readPerWriter = new long[WRITERS];
        long[] lastRingSeq = {-1};
        java.util.Arrays.fill(lastSeq, -1);
        AtomicReference<String> problem = new AtomicReference<>();
        CountDownLatch writersDone = new CountDownLatch(1);
        TraceReader reader = TraceReader.of(ring);
        Thread readerThread = Thread.ofPlatform().start(() -> {
            boolean finalDrain = false;
            while (problem.get() == null) {
                if (reader.next()) {
                    String bad = check(reader.payload(), reader.length());
                    if (bad == null) {
                        int w = reader.payload().getInt(0);
                        long seq = reader.payload().getLong(4);
                        if (seq <= lastSeq[w]) {
                            bad = "writer " + w + ": seq " + seq + " after " + lastSeq[w];
                        }
                        lastSeq[w] = seq;
                        readPerWriter[w]++;
                        readSoFar.lazySet(readSoFar.get() + 1); // one writer (this thread); the writers only compare
                        lastRingSeq[0] = reader.sequence();
                    }
                    if (bad != null) {
                        problem.set(bad);
                    }
                } else if (!reader.stop().isTransient()) {
                    problem.set("reader stopped: " + reader.stop() + ": " + reader.stopDetail());
                } else if (finalDrain && reader.stop() == TraceReader.Stop.CAUGHT_UP) {
                    return;
                } else if (writersDone.getCount() == 0) {
                    finalDrain = true; // every append has returned: read to the tail once more, then stop
                }
            }
        });

        writers.forEach(Thread::start);
        start.countDown();
        for (Thread t : writers) {
            t.join();
        }
        writersDone.countDown();
        readerThread.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(readerThread.isAlive()).as("reader finished").isFalse();
        assertThat(problem.get()).isNull();

        long total = java.util.Arrays.stream(written).sum();
        assertThat(ring.appended()).isEqualTo(total);
        assertThat(reader.read() + reader.lost()).as("read %d + lost %d", reader.read(), reader.lost()).isEqualTo(total);
        assertThat(reader.lost()).isLessThanOrEqualTo(ring.lost());
        assertThat(lastRingSeq[0]).as("the newest record is read").isEqualTo(total - 1);
        for (int w = 0; w < WRITERS; w++) {
            assertThat(lastSeq[w]).isLessThan(written[w]);
            assertThat(readPerWriter[w]).isLessThanOrEqualTo(written[w]);
        }
        // the run exercised what it claims to: overwrites, a lapped reader, and combined batches
        assertThat(ring.lost()).isPositive();
        assertThat(reader.lost()).isPositive();
        assertThat(reader.read()).as("records the reader read (the writers wait for %d)", MIN_READ)
                .isGreaterThanOrEqualTo(MIN_READ);
        assertThat(ring.combined()).isPositive();
        System.out.printf("TraceRingStressTest: %d appended, %d read, %d lost to the reader, %d overwritten,"
                + " %d combined%n", total, reader.read(), reader.lost(), ring.lost(), ring.combined());
    }
}
