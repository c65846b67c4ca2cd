package io.vtbridge;

import io.vtbridge.monitor.StallReport;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.Fifo;
import io.vtbridge.testing.StallListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The stall watchdog: REPORT and HAND_OFF on a real carrier-blocking read (a FIFO nobody writes yet), and the deadlock guard. */
@Timeout(60)
class StallTest {

    @TempDir
    Path dir;

    /** A legacy call that blocks its carrier: java.io on a FIFO (open and read both block in native code). */
    static int blockingRead(Path fifo) throws Exception {
        try (FileInputStream in = new FileInputStream(fifo.toFile())) {
            return in.read();
        }
    }

    @Test
    void reportPolicyReportsABlockingReadExactlyOnceNamingItsFrame() throws Exception {
        Path fifo = Fifo.create(dir.resolve("fifo"));
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        CompletableFuture<StallReport> first = new CompletableFuture<>();
        try (Bridge bridge = Bridge.builder().shards(1).name("stall-report").stallThreshold(Duration.ofMillis(100))
                .listener(StallListener.of(report -> {
                    reports.add(report);
                    first.complete(report);
                })).build()) {
            CompletableFuture<Integer> reader = bridge.submit(() -> blockingRead(fifo));
            StallReport report = first.get(10, TimeUnit.SECONDS);
            // The stall goes on; give the watchdog many more rounds (25 ms each) to report it again. Not a
            // synchronisation: the shard cannot run the task below before the FIFO is written, whatever
            // the timing; the 500 ms only give a broken watchdog the chance to show a second report.
            CompletableFuture<Integer> stillBlocked = bridge.submit(() -> 1);
            assertThat(stillBlocked.completeOnTimeout(-1, 500, TimeUnit.MILLISECONDS).get()).as("REPORT: the shard waits").isEqualTo(-1);
            Fifo.write(fifo, new byte[] {42});
            assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo(42);
            assertThat(stillBlocked).isDone();
            assertThat(reports).hasSize(1);
            assertThat(bridge.shard(0).stalls()).isEqualTo(1);
            assertThat(report.kind()).isEqualTo(StallReport.Kind.HOG);
            assertThat(report.handedOff()).isFalse();
            assertThat(report.thread()).isNotNull();
            assertThat(report.thread().isVirtual()).isTrue();
            assertThat(report.nanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
            assertThat(Arrays.stream(report.stack()).map(StackTraceElement::toString))
                    .as("the frame that blocked, and the task's own frame")
                    .anyMatch(f -> f.contains("FileInputStream"))
                    .anyMatch(f -> f.contains("StallTest.blockingRead"));
            assertThat(report.describe()).contains("shard 0", "stall-report-shard-0", "StallTest.blockingRead");
        }
    }

    @Test
    void handOffKeepsTheShardServingWhileTheOldCarrierStaysInTheRead() throws Exception {
        Path fifo = Fifo.create(dir.resolve("fifo"));
        try (Bridge bridge = Bridge.builder().shards(1).name("stall-handoff").blockingPolicy(BlockingPolicy.HAND_OFF).build()) {
            bridge.submit(() -> null).get(10, TimeUnit.SECONDS);
            Thread firstCarrier = bridge.shard(0).loop().thread();
            CompletableFuture<Integer> reader = bridge.submit(() -> blockingRead(fifo));
            // 1,000 tasks on the same shard, each sleeping 5 ms on a loop timer: they can only finish
            // if the loop runs on while the reader holds its first carrier.
            List<CompletableFuture<Void>> sleepers = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                sleepers.add(bridge.submit(() -> {
                    Bridge.sleep(Duration.ofMillis(5));
                    return null;
                }));
            }
            CompletableFuture.allOf(sleepers.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(reader).as("still blocked in the read").isNotDone();
            assertThat(bridge.shard(0).handOffs()).isEqualTo(1);
            assertThat(bridge.shard(0).extraCarriers()).isEqualTo(1);
            assertThat(bridge.shard(0).loop().thread()).isNotSameAs(firstCarrier);
            assertThat(firstCarrier.isAlive()).as("the old carrier is inside the read").isTrue();

            Fifo.write(fifo, new byte[] {7});
            assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo(7);
            Await.join("the old carrier retires once the reader unmounts (here: ends)", firstCarrier);
            Await.until("no extra carrier left on shard 0", () -> bridge.shard(0).extraCarriers() == 0);
            // And the shard still works, on its new carrier.
            assertThat(bridge.submit(() -> {
                Bridge.sleep(Duration.ofMillis(1));
                return Bridge.current().orElseThrow().index();
            }).get(10, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void handOffComesAfterItsOwnDelayLongBeforeTheStallThreshold() throws Exception {
        Path fifo = Fifo.create(dir.resolve("fifo"));
        CompletableFuture<StallReport> first = new CompletableFuture<>();
        // A threshold far longer than the test may take: a hand-off seen at all came from handOffAfter.
        try (Bridge bridge = Bridge.builder().shards(1).name("stall-early").blockingPolicy(BlockingPolicy.HAND_OFF)
                .stallThreshold(Duration.ofMinutes(5)).handOffAfter(Duration.ofMillis(50))
                .listener(StallListener.of(first::complete)).build()) {
            CompletableFuture<Integer> reader = bridge.submit(() -> blockingRead(fifo));
            StallReport report = first.get(30, TimeUnit.SECONDS);
            assertThat(report.kind()).isEqualTo(StallReport.Kind.HOG);
            assertThat(report.handedOff()).isTrue();
            assertThat(report.nanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50))
                    .isLessThan(TimeUnit.MINUTES.toNanos(5));
            assertThat(bridge.shard(0).handOffs()).isEqualTo(1);
            assertThat(bridge.submit(() -> Bridge.current().orElseThrow().index()).get(30, TimeUnit.SECONDS))
                    .as("the shard serves on its new carrier while the reader holds the old one").isZero();
            assertThat(reader).isNotDone();
            Fifo.write(fifo, new byte[] {9});
            assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo(9);
        }
    }

    @Test
    void aHandOffRefusedBeforeTheThresholdIsReportedAtTheThreshold() throws Exception {
        Path first = Fifo.create(dir.resolve("first"));
        Path second = Fifo.create(dir.resolve("second"));
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        CompletableFuture<StallReport> secondReport = new CompletableFuture<>();
        // One extra carrier at most: the first hog takes it, so the second cannot be handed off.
        try (Bridge bridge = Bridge.builder().shards(1).name("stall-refused").blockingPolicy(BlockingPolicy.HAND_OFF)
                .stallThreshold(Duration.ofMillis(400)).handOffAfter(Duration.ofMillis(50)).maxExtraCarriers(1)
                .listener(StallListener.of(report -> {
                    reports.add(report);
                    if (reports.size() == 2) {
                        secondReport.complete(report);
                    }
                })).build()) {
            CompletableFuture<Integer> firstReader = bridge.submit(() -> blockingRead(first));
            Await.until("the first hog was handed off", () -> bridge.shard(0).handOffs() == 1);
            CompletableFuture<Integer> secondReader = bridge.submit(() -> blockingRead(second));
            StallReport report = secondReport.get(30, TimeUnit.SECONDS);
            assertThat(reports.get(0).handedOff()).isTrue();
            assertThat(reports.get(0).nanos()).as("the first, handed off at its delay").isLessThan(TimeUnit.MILLISECONDS.toNanos(400));
            assertThat(report.handedOff()).as("the second: the one extra carrier is taken").isFalse();
            assertThat(report.nanos()).as("reported at the threshold, not at the hand-off delay")
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
            assertThat(bridge.shard(0).handOffs()).isEqualTo(1);
            Fifo.write(first, new byte[] {1});
            Fifo.write(second, new byte[] {2});
            assertThat(firstReader.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(secondReader.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        }
    }

    /** A class whose initialiser takes a lock: a virtual thread running it is pinned (class init) while it waits. */
    static final class NeedsTheLock {
        static final BridgeLock LOCK = new BridgeLock();
        static volatile Thread holder;

        static final class Init {
            static final int VALUE;

            static {
                LOCK.lock(); // pinned: the carrier itself waits
                try {
                    VALUE = 7;
                } finally {
                    LOCK.unlock();
                }
            }
        }
    }

    @Test
    void theDeadlockGuardNamesTheLockAPinnedThreadWaitsForAndItsOwner() throws Exception {
        CompletableFuture<StallReport> first = new CompletableFuture<>();
        try (Bridge bridge = Bridge.builder().shards(1).listener(StallListener.of(first::complete)).build()) {
            NeedsTheLock.LOCK.lock(); // held by this platform thread
            try {
                CompletableFuture<Integer> pinned = bridge.submit(() -> NeedsTheLock.Init.VALUE);
                StallReport report = first.get(10, TimeUnit.SECONDS);
                assertThat(report.kind()).isEqualTo(StallReport.Kind.LOOP_BLOCKED);
                assertThat(report.lock()).contains("ExclusiveSync");
                assertThat(report.lockOwner()).contains(Thread.currentThread().getName());
                assertThat(pinned).isNotDone();
                NeedsTheLock.LOCK.unlock();
                assertThat(pinned.get(10, TimeUnit.SECONDS)).isEqualTo(7);
            } finally {
                if (NeedsTheLock.LOCK.isHeldByCurrentThread()) {
                    NeedsTheLock.LOCK.unlock();
                }
            }
        }
    }

    /** A class whose initialiser sleeps: a virtual thread running it parks while pinned. */
    static final class SleepsInItsInitialiser {
        static final int VALUE;

        static {
            try {
                Thread.sleep(60);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            VALUE = 3;
        }
    }

    @Test
    void reportPinnedTurnsJfrPinnedEventsOfBridgedThreadsIntoReports() throws Exception {
        CompletableFuture<StallReport> pinnedReport = new CompletableFuture<>();
        try (Bridge bridge = Bridge.builder().shards(1).stallThreshold(Duration.ofSeconds(5))
                .reportPinned(true, Duration.ofMillis(20))
                .listener(StallListener.of(report -> {
                    if (report.kind() == StallReport.Kind.PINNED) {
                        pinnedReport.complete(report);
                    }
                })).build()) {
            // A task that stays alive until the JFR event has been reported (so it can be named).
            CompletableFuture<Void> release = new CompletableFuture<>();
            CompletableFuture<Integer> task = bridge.submit(() -> {
                int v = SleepsInItsInitialiser.VALUE; // parks pinned for 60 ms
                Bridge.await(release);
                return v;
            });
            StallReport report = pinnedReport.get(30, TimeUnit.SECONDS); // JFR flushes about once a second
            release.complete(null);
            assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(report.shard()).isZero();
            assertThat(report.thread()).isNotNull();
            assertThat(report.nanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(Arrays.stream(report.stack()).map(StackTraceElement::toString))
                    .anyMatch(f -> f.contains("SleepsInItsInitialiser"));
            assertThat(bridge.shard(0).pinnedReports()).isGreaterThanOrEqualTo(1);
        }
    }
}
