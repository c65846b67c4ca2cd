package io.vtbridge.trace;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Single-threaded behaviour of {@link TraceRing} and {@link TraceReader}, and the combining queue driven by hand. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TraceRingTest {

    /** Payload of record {@code seq}: length and bytes both derived from it. */
    static byte[] payloadOf(long seq, int maxLength) {
        byte[] b = new byte[(int) (seq * 7 % (maxLength + 1))];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }

    /** Waits (bounded) until {@code n} writers sit in the ring's queue. */
    static void awaitQueued(TraceRing ring, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ring.queuedWriters() < n) {
            assertThat(System.nanoTime() - deadline).as("writers queued: %d of %d", ring.queuedWriters(), n).isNegative();
            Thread.onSpinWait();
        }
    }

    static byte[] payload(TraceReader r) {
        byte[] b = new byte[r.length()];
        r.copyPayload(b, 0);
        return b;
    }

    @Test
    void wrapAroundKeepsTheNewestRecordsIntactAndInOrder() {
        TraceRing ring = TraceRing.onHeap(1024);
        int n = 5000;
        for (int i = 0; i < n; i++) {
            assertThat(ring.append(payloadOf(i, 100))).isEqualTo(i);
        }
        TraceReader reader = TraceReader.of(ring);
        long expected = -1;
        int bytes = 0;
        while (reader.next()) {
            if (expected < 0) {
                expected = reader.sequence();
                assertThat(reader.lost()).isEqualTo(expected);
            }
            assertThat(reader.sequence()).isEqualTo(expected);
            assertThat(payload(reader)).isEqualTo(payloadOf(expected, 100));
            bytes += TraceLayout.frameSize(reader.length());
            expected++;
        }
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        assertThat(expected).as("the newest record is the last one read").isEqualTo(n);
        assertThat(reader.read() + reader.lost()).isEqualTo(n);
        assertThat(ring.lost()).isEqualTo(reader.lost());
        assertThat(bytes).as("what is left fills most of the ring").isGreaterThan(1024 - 2 * 120);
        assertThat(ring.appended()).isEqualTo(n);
    }

    @Test
    void aReaderThatKeepsUpLosesNothingAndOneThatFallsBehindCountsItsGap() {
        TraceRing ring = TraceRing.onHeap(1024);
        TraceReader reader = TraceReader.of(ring);
        assertThat(reader.next()).isFalse();
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        long seq = 0;
        for (int round = 0; round < 200; round++) {
            for (int k = 0; k < round % 5; k++) {
                ring.append(payloadOf(seq++, 60));
            }
            while (reader.next()) {
                assertThat(payload(reader)).isEqualTo(payloadOf(reader.sequence(), 60));
            }
            assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        }
        assertThat(reader.read()).isEqualTo(seq);
        assertThat(reader.lost()).isZero();

        for (int k = 0; k < 500; k++) { // far more than the ring holds
            ring.append(payloadOf(seq++, 60));
        }
        long before = reader.read();
        while (reader.next()) {
            assertThat(payload(reader)).isEqualTo(payloadOf(reader.sequence(), 60));
        }
        assertThat(reader.read() + reader.lost()).isEqualTo(seq);
        // the ring counts every overwritten record, read or not; the reader only those it missed
        assertThat(reader.lost()).isPositive().isLessThan(ring.lost());
        assertThat(reader.read() - before).isLessThan(500);
    }

    @Test
    void lostCounterIsExact() {
        // 44-byte payloads make 64-byte frames: a 1024-byte ring holds exactly M = 16 of them, and a
        // ring this small evicts only what each append needs
        int m = 16;
        for (int n : new int[] {0, 1, 15, 16, 17, 100, 1000}) {
            TraceRing ring = TraceRing.onHeap(1024);
            for (int i = 0; i < n; i++) {
                ring.append(new byte[44]);
            }
            assertThat(ring.lost()).as("lost after %d records", n).isEqualTo(Math.max(0, n - m));
            TraceReader reader = TraceReader.of(ring);
            while (reader.next()) {
                assertThat(reader.sequence()).isEqualTo(reader.lost() + reader.read() - 1);
            }
            assertThat(reader.read()).isEqualTo(Math.min(n, m));
            assertThat(reader.lost()).isEqualTo(Math.max(0, n - m));
        }
    }

    /**
     * A ring of 64 KiB or more evicts a chunk at a time: 64-byte frames, a 64 KiB ring holds
     * M = 1024 of them, and an eviction frees 4 KiB (64 frames) beyond the need, so it drops 65
     * records and the next 64 appends fit: lost(n) = 65 * ceil((n - M) / 65).
     */
    @Test
    void aLargeRingEvictsInChunksAndCountsEveryRecordExactly() {
        int m = 1024;
        for (int n : new int[] {1024, 1025, 1089, 1090, 1154, 1155, 5000}) {
            TraceRing ring = TraceRing.onHeap(64 * 1024);
            for (int i = 0; i < n; i++) {
                ring.append(new byte[44]);
            }
            long lost = n <= m ? 0 : 65L * ((n - m + 64) / 65);
            assertThat(ring.lost()).as("lost after %d records", n).isEqualTo(lost);
            TraceReader reader = TraceReader.of(ring);
            while (reader.next()) {
                assertThat(reader.sequence()).isEqualTo(reader.lost() + reader.read() - 1);
            }
            assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
            assertThat(reader.read()).as("read after %d records", n).isEqualTo(n - lost);
            assertThat(reader.lost()).isEqualTo(lost);
            assertThat(reader.read()).as("at least 15/16 of the ring still holds records").isGreaterThanOrEqualTo(m * 15 / 16);
        }
    }

    @Test
    void theEventChecksumFromFieldsEqualsTheChecksumOfTheEncodedBytes() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(6);
        ByteBuffer le = ByteBuffer.allocate(TraceEvent.SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 10_000; i++) {
            int word = TraceEvent.word(random.nextInt(65536), random.nextInt(256), random.nextInt(256));
            long id = i % 3 == 0 ? -random.nextLong(Long.MAX_VALUE) : random.nextLong();
            long time = random.nextLong();
            long sequence = random.nextLong(Long.MAX_VALUE);
            TraceEvent.put(le, 0, word, id, time);
            assertThat(TraceLayout.eventChecksum(word, id, time, sequence))
                    .as("event %d", i)
                    .isEqualTo(TraceLayout.checksum(le, 0, TraceEvent.SIZE, sequence, TraceLayout.TYPE_EVENT));
        }
    }

    @Test
    void oversizedRecordIsRejectedNamingBothSizes() {
        TraceRing ring = TraceRing.onHeap(1024, 200);
        assertThatThrownBy(() -> ring.append(new byte[201]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("201 bytes")
                .hasMessageContaining("maximum record size of 200 bytes")
                .hasMessageContaining("capacity 1024");
        assertThatThrownBy(() -> ring.append(ByteBuffer.allocate(300)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("300 bytes");
        assertThat(ring.append(new byte[200])).isZero();
        assertThat(ring.appended()).isEqualTo(1);
    }

    @Test
    void badConfigurationNamesTheValue() {
        assertThatThrownBy(() -> TraceRing.onHeap(1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two").hasMessageContaining("1000");
        assertThatThrownBy(() -> TraceRing.onHeap(64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 64");
        assertThatThrownBy(() -> TraceRing.onHeap(1024, 493)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("20..492").hasMessageContaining("493");
        assertThatThrownBy(() -> TraceRing.onHeap(1024).appendEvent(70000, 1, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shard 70000");
        assertThat(TraceRing.onHeap(1024).maxRecordSize()).isEqualTo(492);
        assertThat(TraceRing.onHeap(1 << 20).maxRecordSize()).isEqualTo(65536);
    }

    @Test
    void eventsRoundTrip() {
        TraceRing ring = TraceRing.onHeap(4096);
        ring.appendEvent(3, 4242, EventKind.SLEEP, EventPhase.SUSPEND, 123_456_789L);
        ring.appendEvent(65535, -1, 255, 255, Long.MIN_VALUE);
        ring.append(new byte[] {1, 2, 3});
        TraceReader reader = TraceReader.of(ring);
        assertThat(reader.next()).isTrue();
        assertThat(reader.isEvent()).isTrue();
        assertThat(reader.length()).isEqualTo(TraceEvent.SIZE);
        assertThat(reader.event()).isEqualTo(TraceEvent.of(3, 4242, EventKind.SLEEP, EventPhase.SUSPEND, 123_456_789L));
        assertThat(reader.event().toString()).contains("kind=SLEEP phase=SUSPEND");
        assertThat(TraceEvent.threadId(reader.payload(), 0)).isEqualTo(4242);
        assertThat(reader.next()).isTrue();
        assertThat(reader.event()).isEqualTo(new TraceEvent(65535, -1, 255, 255, Long.MIN_VALUE));
        assertThat(reader.event().kindName()).isEqualTo("kind#255");
        assertThat(reader.next()).isTrue();
        assertThat(reader.type()).isEqualTo(TraceRing.TYPE_DATA);
        assertThatThrownBy(reader::event).isInstanceOf(IllegalStateException.class).hasMessageContaining("DATA");
        assertThat(reader.next()).isFalse();

        byte[] bytes = new byte[TraceEvent.SIZE + 1];
        TraceEvent.encode(bytes, 1, 7, 99, 2, 1, 5);
        assertThat(TraceEvent.decode(bytes, 1)).isEqualTo(new TraceEvent(7, 99, 2, 1, 5));
        ByteBuffer big = ByteBuffer.allocate(TraceEvent.SIZE); // big-endian: encoded little-endian anyway
        TraceEvent.encode(big, 0, 7, 99, 2, 1, 5);
        assertThat(big.array()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 1, bytes.length));
        assertThat(TraceEvent.decode(big, 0)).isEqualTo(new TraceEvent(7, 99, 2, 1, 5));
    }

    @Test
    void appendFromAByteBufferMovesItsPosition() {
        TraceRing ring = TraceRing.onHeap(1024);
        ByteBuffer src = ByteBuffer.wrap(new byte[] {9, 8, 7, 6, 5});
        src.position(1).limit(4);
        ring.append(src);
        assertThat(src.position()).isEqualTo(4);
        TraceReader reader = TraceReader.of(ring);
        assertThat(reader.next()).isTrue();
        assertThat(payload(reader)).containsExactly(8, 7, 6);
    }

    /** Holds the tail lock by hand so that every writer must queue, then lets one unlock write the batch. */
    @Test
    void queuedWritersAreWrittenByTheLockHolderInOneBatch() throws Exception {
        for (boolean virtual : new boolean[] {false, true}) {
            TraceRing ring = TraceRing.onHeap(4096);
            int writers = 5;
            long t = ring.lockTail();
            AtomicLongArray returned = new AtomicLongArray(writers);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                Thread.Builder builder = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
                threads.add(builder.start(() -> returned.set(id, 1 + ring.append(new byte[] {(byte) id, 1, 2}))));
            }
            awaitQueued(ring, writers); // every writer found the tail locked and queued itself
            for (int w = 0; w < writers; w++) {
                assertThat(returned.get(w)).as("writer %d returned while its record could not be written", w).isZero();
            }
            ring.unlockTail(t);
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(ring.combined()).isEqualTo(writers);
            assertThat(ring.appended()).isEqualTo(writers);
            TraceReader reader = TraceReader.of(ring);
            List<Integer> order = new ArrayList<>();
            while (reader.next()) {
                int id = reader.payload().get(0);
                order.add(id);
                assertThat(returned.get(id) - 1).as("writer %d's sequence", id).isEqualTo(reader.sequence());
            }
            assertThat(order).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        }
    }

    /**
     * A queued writer is released only after the round holding its record is committed: the moment
     * its append returns, a reader finds the record there, whole (not BUSY, which would stop the
     * reader with IN_PROGRESS before it).
     */
    @Test
    void aQueuedWriterReturnsOnlyAfterItsRecordIsCommitted() throws Exception {
        int writers = 4;
        for (int trial = 0; trial < 50; trial++) {
            TraceRing ring = TraceRing.onHeap(4096);
            long t = ring.lockTail();
            java.util.Queue<String> problems = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                byte[] record = payloadOf(w, 30);
                threads.add(Thread.ofPlatform().daemon().start(() -> {
                    long sequence = ring.append(record);
                    TraceReader reader = TraceReader.of(ring);
                    while (reader.next()) {
                        if (reader.sequence() == sequence) {
                            if (!java.util.Arrays.equals(payload(reader), record)) {
                                problems.add("record " + sequence + " torn");
                            }
                            return;
                        }
                    }
                    problems.add("record " + sequence + " not readable when its append returned: "
                            + reader.stop() + ": " + reader.stopDetail());
                }));
            }
            awaitQueued(ring, writers);
            ring.unlockTail(t);
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(problems).as("trial %d", trial).isEmpty();
            assertThat(ring.combined()).isEqualTo(writers);
        }
    }

    /** A thread that may never park (a bridge loop thread) in the test: the marker is the contract. */
    static final class NonBlockingWriter extends Thread implements io.vtbridge.internal.NonBlockingThread {
        NonBlockingWriter(Runnable body) {
            super(body, "non-blocking-writer");
            setDaemon(true);
        }
    }

    /**
     * A queued platform writer parks (so it stays out of the working writers' way); a queued
     * {@link io.vtbridge.internal.NonBlockingThread}, a bridge loop thread, never does: it carries a
     * shard's virtual threads. Both are written by the unlock.
     */
    @Test
    void aQueuedPlatformWriterParksButALoopThreadNeverDoes() throws Exception {
        TraceRing ring = TraceRing.onHeap(4096);
        long t = ring.lockTail();
        Thread parker = Thread.ofPlatform().daemon().start(() -> ring.append(new byte[] {1}));
        awaitQueued(ring, 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (parker.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime()).as("the queued platform writer parks").isLessThan(deadline);
            Thread.onSpinWait();
        }
        Thread loop = new NonBlockingWriter(() -> ring.append(new byte[] {2}));
        loop.start();
        awaitQueued(ring, 2);
        for (int i = 0; i < 20_000; i++) { // well past the spins before backing off
            Thread.State state = loop.getState();
            assertThat(state).as("sample %d", i).isNotIn(Thread.State.TIMED_WAITING, Thread.State.WAITING);
        }
        ring.unlockTail(t);
        parker.join();
        loop.join();
        assertThat(ring.appended()).isEqualTo(2);
        assertThat(ring.combined()).isEqualTo(2);
    }

    /**
     * A caller's buffer that changes under the copy (here: its limit cut while its writer is queued)
     * must not leave the ring locked or a round BUSY: the record is written as zeros, the append
     * throws what the copy threw, and the ring goes on.
     */
    @Test
    void aBufferThatShrinksDuringItsAppendGivesAZeroRecordAndTheAppendThrows() throws Exception {
        TraceRing ring = TraceRing.onHeap(4096);
        byte[] bytes = new byte[30];
        java.util.Arrays.fill(bytes, (byte) 7);
        ByteBuffer src = ByteBuffer.wrap(bytes);
        long t = ring.lockTail();
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try {
                ring.append(src);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        awaitQueued(ring, 1);
        src.limit(0); // the queued node still says 30 bytes from index 0
        ring.unlockTail(t);
        writer.join();
        assertThat(thrown.get()).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(ring.append(new byte[] {9})).as("the ring is not locked").isEqualTo(1);
        TraceReader reader = TraceReader.of(ring);
        assertThat(reader.next()).isTrue();
        assertThat(reader.sequence()).isZero();
        assertThat(payload(reader)).isEqualTo(new byte[30]);
        assertThat(reader.next()).isTrue();
        assertThat(payload(reader)).containsExactly(9);
        assertThat(reader.next()).isFalse();
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
    }

    /** A batch larger than the ring: written in several rounds under one lock hold; the older records are lost, counted. */
    @Test
    void aBatchLargerThanTheRingIsWrittenInRounds() throws Exception {
        TraceRing ring = TraceRing.onHeap(256); // 100-byte records make 120-byte frames: 2 fit
        int writers = 6;
        long t = ring.lockTail();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            byte[] record = new byte[100];
            record[0] = (byte) w;
            threads.add(Thread.ofPlatform().daemon().start(() -> ring.append(record)));
        }
        awaitQueued(ring, writers);
        ring.unlockTail(t);
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(ring.appended()).isEqualTo(writers);
        assertThat(ring.lost()).isEqualTo(writers - 2);
        TraceReader reader = TraceReader.of(ring);
        assertThat(reader.next()).isTrue();
        assertThat(reader.sequence()).isEqualTo(writers - 2);
        assertThat(reader.next()).isTrue();
        assertThat(reader.next()).isFalse();
        assertThat(reader.lost()).isEqualTo(writers - 2);
        // the lock is free again: an uncontended append goes through
        assertThat(ring.append(new byte[1])).isEqualTo(writers);
    }

    @Test
    void aMappedRingIsAFileTheReaderDecodes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ring.trace");
        TraceRing ring = TraceRing.mapped(file, 4096);
        assertThat(ring.file()).contains(file);
        assertThat(Files.size(file)).isEqualTo(64 + 4096);
        for (int i = 0; i < 300; i++) {
            if (i % 3 == 0) {
                ring.appendEvent(i % 4, i, EventKind.LOCK, EventPhase.REQUEST, i * 10L);
            } else {
                ring.append(payloadOf(i, 90));
            }
        }
        ring.force();
        TraceReader file1 = TraceReader.open(file);
        assertThat(file1.isLive()).isFalse();
        assertThat(file1.headerAppended()).isEqualTo(300);
        assertThat(file1.headerLost()).isEqualTo(ring.lost()).isPositive();
        long expected = -1;
        while (file1.next()) {
            if (expected < 0) {
                expected = file1.sequence();
            }
            assertThat(file1.sequence()).isEqualTo(expected);
            if (expected % 3 == 0) {
                assertThat(file1.event()).isEqualTo(TraceEvent.of((int) expected % 4, expected, EventKind.LOCK,
                        EventPhase.REQUEST, expected * 10));
            } else {
                assertThat(payload(file1)).isEqualTo(payloadOf(expected, 90));
            }
            expected++;
        }
        assertThat(file1.stop()).as(file1.stopDetail()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        assertThat(expected).isEqualTo(300);
        assertThat(file1.lost()).isEqualTo(ring.lost());
    }
}
