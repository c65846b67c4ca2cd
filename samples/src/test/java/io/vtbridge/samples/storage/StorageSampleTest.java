package io.vtbridge.samples.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample end to end with a tiny data set (8 MiB over a 1 MiB cache) and under a second per
 * mode: every mode runs (the provider mode in its child JVM), every count adds up, nothing fails or
 * is lost, each store reopens with what was written, and every thread the run started has ended.
 */
class StorageSampleTest {

    /** 2,048 keys of 4 KiB over a 1 MiB cache; 8 callers; 0.2 s warm-up and 1 s measured per mode. */
    static StorageOptions tiny(Path csv) {
        return new StorageOptions(2048, 4096, 1, 8, 90, Duration.ofMillis(150), Duration.ofMillis(200),
                Duration.ofSeconds(1), 100, 2, 4, 8, Duration.ofMillis(100), 1, List.of(StorageMode.values()), csv, null,
                false, 1);
    }

    @Test
    void theCommandLinesBoundCoversEveryModeOfEveryRoundWithItsSlack() {
        StorageOptions defaults = StorageOptions.defaults();
        // six modes, each twice 3 s of warm-up, 10 s measured and 240 s of slack; the engine's warm-up with its slack; a minute
        assertThat(StorageSample.bound(defaults)).isEqualTo(Duration.ofSeconds(6 * (2 * 3 + 10 + 240) + (3 + 240) + 60));
        // a warm-up shorter than the provider child's minimum counts as that minimum, rounds multiply
        StorageOptions tiny = tiny(null);
        StorageOptions twoRounds = new StorageOptions(tiny.keys(), tiny.valueBytes(), tiny.cacheMb(), tiny.callers(),
                tiny.readPercent(), tiny.checkpoint(), tiny.warmup(), tiny.duration(), tiny.pingPerSecond(), tiny.shards(),
                tiny.poolThreads(), tiny.blockingThreads(), tiny.stallThreshold(), 2, List.of(StorageMode.VIRTUAL),
                null, null, false, 1);
        assertThat(StorageSample.bound(twoRounds)).isEqualTo(Duration.ofSeconds(2 * (2 * 3 + 1 + 240) + (3 + 240) + 60));
    }

    @Test
    void oddRoundsRunTheModesInReverse() {
        List<StorageMode> asked = List.of(StorageMode.VIRTUAL, StorageMode.PLATFORM, StorageMode.HAND_OFF);
        assertThat(StorageSample.order(asked, 0)).containsExactly(StorageMode.VIRTUAL, StorageMode.PLATFORM, StorageMode.HAND_OFF);
        assertThat(StorageSample.order(asked, 1)).containsExactly(StorageMode.HAND_OFF, StorageMode.PLATFORM, StorageMode.VIRTUAL);
        assertThat(StorageSample.order(asked, 2)).isEqualTo(asked);
    }

    @Test
    void everyModeRunsAndEveryCountAddsUp(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("storage.csv");
        StorageSample.Result result = StorageSample.run(tiny(csv));

        assertThat(result.rows()).extracting(Row::storageMode).containsExactly(StorageMode.values());
        for (Row r : result.rows()) {
            String what = r.mode() + ": " + r;
            assertThat(r.failed()).as(what).isZero();
            assertThat(r.completed()).as(what).isPositive().isEqualTo(r.submitted())
                    .isEqualTo(r.gets() + r.puts() + r.checkpoints());
            assertThat(r.gets()).as(what).isPositive();
            assertThat(r.puts()).as(what).isPositive();
            assertThat(r.checkpoints()).as(what).isPositive();
            assertThat(r.opsPerSec()).as(what).isPositive();
            assertThat(r.fileReads()).as(what).isNotNegative();
            assertThat(r.pingSent()).as(what).isPositive();
            assertThat(r.pingOk()).as(what).isEqualTo(r.pingSent());
            assertThat(r.pingLost()).as(what).isZero();
            assertThat(r.pingMaxMs()).as(what).isGreaterThanOrEqualTo(r.pingP99Ms()).isGreaterThanOrEqualTo(r.pingP50Ms());
            // A generous sanity bound: a ping is a trivial task.
            assertThat(r.pingP50Ms()).as(what).isLessThan(5_000);
            // Every key written in the run was found written in the reopened store (Engine.verify).
            assertThat(r.writtenKeys()).as(what).isPositive().isLessThanOrEqualTo(2048);
            if (r.storageMode().bridged()) {
                assertThat(r.stallMs()).as(what).isGreaterThanOrEqualTo(r.iterationMs()).isGreaterThan(0);
                assertThat(r.hogs()).as(what).isNotNegative().isGreaterThanOrEqualTo(r.handOffs());
            } else {
                assertThat(r.stallMs()).as(what).isEqualTo(-1);
                assertThat(r.hogs()).as(what).isEqualTo(-1);
            }
        }
        assertThat(result.goals()).extracting(Goals.Verdict::mode).containsExactly("hand-off", "provider");
        // The data set is eight times the cache: reads go to the file. (Not in every mode: MVStore keeps
        // pages it has just written in memory, and in a short run one mode may read from those alone.)
        assertThat(result.rows().stream().mapToLong(Row::fileReads).sum()).isPositive();
        assertThat(result.rows().stream().mapToDouble(Row::fileReadMiB).sum()).isPositive();

        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo(String.join(",", Row.HEADER));
        List<Row> parsed = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            parsed.add(Row.parse(line));
        }
        assertThat(parsed).isEqualTo(result.rows());

        assertNoThreadLeft("storage-", "H2-", "MVStore");
    }

    /** Every live thread whose name starts with one of {@code prefixes} ends within a few seconds. */
    static void assertNoThreadLeft(String... prefixes) throws InterruptedException {
        List<Thread> left = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            for (String prefix : prefixes) {
                if (t.getName().startsWith(prefix)) {
                    left.add(t);
                }
            }
        }
        for (Thread t : left) {
            t.join(Duration.ofSeconds(5));
        }
        assertThat(left).filteredOn(Thread::isAlive).isEmpty();
    }
}
