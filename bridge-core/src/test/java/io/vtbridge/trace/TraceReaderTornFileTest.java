package io.vtbridge.trace;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A reader on damaged ring files: a copy of a mapped ring, truncated mid-record or with one byte
 * changed, must stop exactly at the damaged record, with a reason, after returning every record
 * before it intact. The ring has wrapped, so the walk starts mid-file and crosses the end.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TraceReaderTornFileTest {

    private static final int RECORDS = 40;
    private static final int PAYLOAD = 50; // 72-byte frames: the ring of 1024 holds 14 of them

    @TempDir
    Path dir;
    private Path ring;
    private final List<Long> offsets = new ArrayList<>(); // file offset of each record still in the ring, oldest first
    private long firstSequence;

    @BeforeEach
    void writeRing() throws IOException {
        ring = dir.resolve("ring.trace");
        TraceRing r = TraceRing.mapped(ring, 1024);
        for (int i = 0; i < RECORDS; i++) {
            r.append(TraceRingTest.payloadOf(i * 7L + PAYLOAD, PAYLOAD + 7 * 8)); // lengths vary
        }
        r.force(); // the header's tail exact: every frame below it must be intact, so damage is corruption
        TraceReader reader = TraceReader.open(ring);
        while (reader.next()) {
            if (offsets.isEmpty()) {
                firstSequence = reader.sequence();
            }
            offsets.add(reader.fileOffset());
        }
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        assertThat(firstSequence).as("the ring wrapped").isPositive();
        assertThat(offsets).hasSizeGreaterThan(6);
        assertThat(offsets.get(offsets.size() - 1)).as("the walk crosses the end of the ring").isLessThan(offsets.get(0));
    }

    @Test
    void aWalkThatEndsAtAnExactHeaderTailSaysNothingOfRecordsPastIt() throws IOException {
        // writeRing forced the ring: its header's tail is where the records end.
        TraceReader reader = readUntilStop(ring, new ArrayList<>());
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        assertThat(reader.stopDetail()).contains("has been read").doesNotContain("go on past it");
    }

    /** Reads a damaged copy: the records returned, checked whole, and the reader in its stopped state. */
    private TraceReader readUntilStop(Path copy, List<Long> seen) throws IOException {
        TraceReader reader = TraceReader.open(copy);
        while (reader.next()) {
            long seq = reader.sequence();
            assertThat(seq).isEqualTo(firstSequence + seen.size());
            byte[] p = TraceRingTest.payload(reader);
            assertThat(p).isEqualTo(TraceRingTest.payloadOf(seq * 7 + PAYLOAD, PAYLOAD + 7 * 8));
            seen.add(reader.fileOffset());
        }
        return reader;
    }

    private Path copy(String name) throws IOException {
        Path copy = dir.resolve(name);
        Files.copy(ring, copy);
        return copy;
    }

    private static void poke(Path file, long offset, int value) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(value);
        }
    }

    @Test
    void truncatedMidRecordStopsAtThatRecord() throws IOException {
        // the last record before the walk wraps lies at the highest offset: cut the file in its middle
        int k = offsets.indexOf(offsets.stream().max(Long::compare).orElseThrow());
        Path copy = copy("truncated.trace");
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.truncate(offsets.get(k) + 30);
        }
        List<Long> seen = new ArrayList<>();
        TraceReader reader = readUntilStop(copy, seen);
        assertThat(seen).isEqualTo(offsets.subList(0, k));
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.TRUNCATED);
        assertThat(reader.stopOffset()).isEqualTo(offsets.get(k));
        assertThat(reader.stopDetail()).contains("ends at byte " + (offsets.get(k) + 30))
                .contains("offset " + offsets.get(k));
        assertThat(reader.next()).as("a snapshot's stop is final").isFalse();
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.TRUNCATED);
    }

    @Test
    void truncatedInsideAFrameHeaderStopsThere() throws IOException {
        int k = offsets.indexOf(offsets.stream().max(Long::compare).orElseThrow());
        Path copy = copy("truncated-header.trace");
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.truncate(offsets.get(k) + 3);
        }
        List<Long> seen = new ArrayList<>();
        TraceReader reader = readUntilStop(copy, seen);
        assertThat(seen).isEqualTo(offsets.subList(0, k));
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.TRUNCATED);
        assertThat(reader.stopOffset()).isEqualTo(offsets.get(k));
    }

    @Test
    void aBusyCommitByteStopsAtThatRecordAsUncommittedAndItsRoundCanBeSkipped() throws IOException {
        int k = offsets.size() - 3;
        if (offsets.get(k) < offsets.get(k - 1)) {
            k--; // not the record just after the wrap: its round opens with the padding before it
        }
        Path copy = copy("busy.trace");
        poke(copy, offsets.get(k) + TraceLayout.F_TAG, 0xFF);
        List<Long> seen = new ArrayList<>();
        TraceReader reader = readUntilStop(copy, seen);
        assertThat(seen).isEqualTo(offsets.subList(0, k));
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.UNCOMMITTED);
        assertThat(reader.stopOffset()).isEqualTo(offsets.get(k));
        assertThat(reader.stopDetail()).contains("never committed").contains("offset " + offsets.get(k))
                .contains("round spans " + (offsets.get(k + 1) - offsets.get(k)) + " bytes");
        long lostBefore = reader.lost();

        assertThat(reader.skipUncommitted()).isTrue();
        assertThat(reader.skipUncommitted()).as("only right after an UNCOMMITTED stop").isFalse();
        List<Long> after = new ArrayList<>();
        while (reader.next()) {
            after.add(reader.fileOffset());
        }
        assertThat(after).isEqualTo(offsets.subList(k + 1, offsets.size()));
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        assertThat(reader.lost()).as("the skipped record").isEqualTo(lostBefore + 1);
        assertThat(reader.skippedRounds()).isEqualTo(1);
    }

    @Test
    void aBusyTagInsideARoundCannotBeSkipped() throws IOException {
        // 100-byte payloads make 120-byte frames: the 9th does not fit in the 64 bytes left before the
        // end, so its round is [padding, record] and the record's own frame does not open a round
        Path file = dir.resolve("inside.trace");
        TraceRing r = TraceRing.mapped(file, 1024);
        for (int i = 0; i < 9; i++) {
            r.append(new byte[100]);
        }
        r.force();
        poke(file, TraceLayout.HEADER + TraceLayout.F_TAG, 0xFF);
        TraceReader reader = TraceReader.open(file);
        int read = 0;
        while (reader.next()) {
            read++;
        }
        assertThat(read).as("the 9th record overwrote the 1st").isEqualTo(7);
        assertThat(reader.lost()).isEqualTo(1);
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.UNCOMMITTED);
        assertThat(reader.stopOffset()).isEqualTo(TraceLayout.HEADER);
        assertThat(reader.skipUncommitted()).as("a BUSY tag no round starts at").isFalse();
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.UNCOMMITTED);
    }

    @Test
    void aZeroOrForeignCommitByteStopsAsBadTag() throws IOException {
        for (int value : new int[] {0x00, 0x42}) {
            int k = 2;
            Path copy = copy("tag-" + value + ".trace");
            poke(copy, offsets.get(k) + TraceLayout.F_TAG, value);
            List<Long> seen = new ArrayList<>();
            TraceReader reader = readUntilStop(copy, seen);
            assertThat(seen).isEqualTo(offsets.subList(0, k));
            assertThat(reader.stop()).isEqualTo(TraceReader.Stop.BAD_TAG);
            assertThat(reader.stopOffset()).isEqualTo(offsets.get(k));
            assertThat(reader.stopDetail()).contains(value == 0 ? "never written" : "0x42");
        }
    }

    /**
     * Without {@code force()} the header's tail lags (it moves when the ring evicts): the reader walks
     * on past it, and there a damaged record is where the data ends, not a corruption, because it is
     * what a writer killed in the middle of a one-pass copy leaves.
     */
    @Test
    void pastTheHeadersTailADamagedRecordEndsTheData() throws IOException {
        Path file = dir.resolve("lazy.trace");
        TraceRing r = TraceRing.mapped(file, 1024);
        List<Long> written = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            r.append(TraceRingTest.payloadOf(i * 7L + PAYLOAD, PAYLOAD + 7 * 8));
        }
        TraceReader reader = TraceReader.open(file);
        long lastSequence = -1;
        long end = 0;
        while (reader.next()) {
            written.add(reader.fileOffset());
            assertThat(TraceRingTest.payload(reader))
                    .isEqualTo(TraceRingTest.payloadOf(reader.sequence() * 7 + PAYLOAD, PAYLOAD + 7 * 8));
            lastSequence = reader.sequence();
            end = reader.position() + TraceLayout.frameSize(reader.length());
        }
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        assertThat(lastSequence).as("every record, though the header's tail is behind").isEqualTo(RECORDS - 1);
        assertThat(reader.headerTail()).as("the header's tail lags the records").isLessThan(end);

        int k = written.size() - 1;
        poke(file, written.get(k) + TraceLayout.F_PAYLOAD + 5, 0x5A ^ 0xFF);
        List<Long> seen = new ArrayList<>();
        TraceReader damaged = readUntilStop(file, seen);
        assertThat(seen).isEqualTo(written.subList(0, k));
        assertThat(damaged.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        assertThat(damaged.stopDetail()).contains("the records go on past it").contains("fails its checksum");
    }

    /**
     * Past the header's tail, a damaged record followed by the next record intact is damage, not the
     * end: in a ring that never wrapped the header's tail is 0, so every record is past it.
     */
    @Test
    void pastTheHeadersTailDamageInTheMiddleIsStillReported() throws IOException {
        Path file = dir.resolve("middle.trace");
        TraceRing r = TraceRing.mapped(file, 4096);
        for (int i = 0; i < 20; i++) {
            r.append(TraceRingTest.payloadOf(i, 40));
        }
        TraceReader clean = TraceReader.open(file);
        assertThat(clean.headerTail()).as("never evicted: the header's tail never moved").isZero();
        List<Long> at = new ArrayList<>();
        while (clean.next()) {
            at.add(clean.fileOffset());
        }
        assertThat(at).hasSize(20);
        poke(file, at.get(7) + TraceLayout.F_PAYLOAD + 3, 0x77);
        TraceReader reader = TraceReader.open(file);
        int read = 0;
        while (reader.next()) {
            read++;
        }
        assertThat(read).isEqualTo(7);
        assertThat(reader.stop()).as(reader.stopDetail()).isEqualTo(TraceReader.Stop.CHECKSUM);
        assertThat(reader.stopOffset()).isEqualTo(at.get(7));
    }

    /**
     * Past the header's tail, records numbered below the header's appended are of an earlier lap
     * (the header's appended is the number of the record at its tail): here the header is set as a
     * writer killed right after evicting everything up to its tail would leave it, with the evicted
     * records still in place.
     */
    @Test
    void pastTheHeadersTailRecordsNumberedBelowItsAppendedAreOfAnEarlierLap() throws IOException {
        Path file = dir.resolve("lap.trace");
        TraceRing r = TraceRing.mapped(file, 1024);
        for (int i = 0; i < 30; i++) {
            r.append(TraceRingTest.payloadOf(i, 40)); // 64-byte frames: 16 fit, the ring wrapped
        }
        r.force();
        TraceReader exact = TraceReader.open(file);
        assertThat(exact.next()).isTrue();
        long oldestPosition = exact.position();
        long appended = exact.headerAppended();
        assertThat(appended).isEqualTo(30);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            header.putLong(0, oldestPosition).putLong(8, oldestPosition).putLong(16, 0); // oldest, tail, lost
            ch.write(header, TraceLayout.H_OLDEST);
        }
        TraceReader reader = TraceReader.open(file);
        assertThat(reader.next()).as("the records at the header's tail are numbered 14.., below its appended 30").isFalse();
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CAUGHT_UP);
        assertThat(reader.stopDetail()).contains("the data ends at the header's tail: a record of an earlier lap")
                .doesNotContain("go on past it");
    }

    @Test
    void aChangedPayloadByteFailsTheChecksum() throws IOException {
        int k = offsets.size() - 1;
        Path copy = copy("payload.trace");
        poke(copy, offsets.get(k) + TraceLayout.F_PAYLOAD + 5, 0x5A ^ 0xFF);
        List<Long> seen = new ArrayList<>();
        TraceReader reader = readUntilStop(copy, seen);
        assertThat(seen).isEqualTo(offsets.subList(0, k));
        assertThat(reader.stop()).isEqualTo(TraceReader.Stop.CHECKSUM);
        assertThat(reader.stopDetail()).contains("checksum mismatch at offset " + offsets.get(k));
    }

    @Test
    void aChangedSequenceNumberBreaksTheSequence() throws IOException {
        int k = 4;
        Path copy = copy("sequence.trace");
        poke(copy, offsets.get(k) + TraceLayout.F_SEQUENCE + 7, 0x01); // the sequence jumps by 2^56
        List<Long> seen = new ArrayList<>();
        TraceReader reader = readUntilStop(copy, seen);
        assertThat(seen).isEqualTo(offsets.subList(0, k));
        // the checksum covers the sequence number too: whichever check fires first, it stops here
        assertThat(reader.stop()).isIn(TraceReader.Stop.CHECKSUM, TraceReader.Stop.SEQUENCE_BREAK);
        assertThat(reader.stopOffset()).isEqualTo(offsets.get(k));
    }

    @Test
    void notATraceFileIsRefused() throws IOException {
        Path junk = dir.resolve("junk");
        Files.writeString(junk, "x".repeat(200));
        assertThatThrownBy(() -> TraceReader.open(junk)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a trace ring");
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[10]);
        assertThatThrownBy(() -> TraceReader.open(tiny)).isInstanceOf(IOException.class)
                .hasMessageContaining("10 bytes");
    }

    @Test
    void dumpPrintsRecordsAndTheReasonItStopped() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TraceDump.run(new String[] {"dump", ring.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(text + err).isZero();
        assertThat(text.lines().filter(l -> l.startsWith("offset=")).count()).isEqualTo(offsets.size());
        assertThat(text).contains("offset=" + offsets.get(0) + " pos=").contains(" seq=" + firstSequence + " ")
                .contains("end: CAUGHT_UP");

        Path copy = copy("dump-busy.trace");
        poke(copy, offsets.get(3) + TraceLayout.F_TAG, 0xFF);
        out.reset();
        status = TraceDump.run(new String[] {"dump", copy.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("# uncommitted: the record at offset " + offsets.get(3))
                .contains((offsets.size() - 1) + " records").contains("1 uncommitted rounds skipped")
                .contains("end: CAUGHT_UP");

        assertThat(TraceDump.run(new String[] {"dump"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isEqualTo(2);
        assertThat(TraceDump.run(new String[] {"dump", dir.resolve("missing").toString()}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(1);
    }

    @Test
    void dumpDecodesEvents() throws IOException {
        Path file = dir.resolve("events.trace");
        TraceRing r = TraceRing.mapped(file, 4096);
        r.appendEvent(1, 42, io.vtbridge.monitor.EventKind.SLEEP, io.vtbridge.monitor.EventPhase.SUSPEND, 777);
        r.append(new byte[] {(byte) 0xCA, (byte) 0xFE});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = TraceDump.run(new String[] {"dump", file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("offset=64 pos=0 seq=0 len=20 EVENT shard=1 thread=42 kind=SLEEP phase=SUSPEND nanoTime=777")
                .contains("offset=104 pos=40 seq=1 len=2 DATA cafe");
    }
}
