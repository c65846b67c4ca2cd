package io.vtbridge;

import io.vtbridge.internal.JdkAccess;
import io.vtbridge.monitor.DelayCause;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.monitor.ShardStats;
import io.vtbridge.monitor.StallReport;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.StallListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The true culprit, and hogs moved off the loop: a hog report names the thread that held the carrier,
 * with the stack it had then; a lag report (a long turn of short mounts) names no thread; a thread
 * that keeps holding its loop past the slice and yielding runs on the CPU pool until it blocks, then
 * comes back to its loop.
 */
@Timeout(60)
class HogTest {

    /** CPU work on the carrier for {@code millis}: no yield, no park. */
    static long spinFor(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long x = 0;
        while (System.nanoTime() < end) {
            x++;
        }
        return x;
    }

    @Test
    void aHogReportNamesTheThreadThatHeldTheCarrierWithTheStackItHadThen() throws Exception {
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        try (Bridge bridge = Bridge.builder().shards(1).name("hog").stallThreshold(Duration.ofMillis(50))
                .listener(StallListener.of(reports::add)).build()) {
            CompletableFuture<Thread> hog = bridge.submit(() -> {
                spinFor(400);
                return Thread.currentThread();
            });
            Thread hogThread = Await.result(hog);
            Await.until("a report", () -> !reports.isEmpty());
            StallReport report = reports.get(0);
            assertThat(report.kind()).isEqualTo(StallReport.Kind.HOG);
            assertThat(report.thread()).isSameAs(hogThread);
            assertThat(report.threadDescription()).as("the thread as it was when seen mounted")
                    .contains("runnable").doesNotContain("terminated");
            assertThat(Arrays.stream(report.stack()).map(StackTraceElement::getMethodName)).contains("spinFor");
            assertThat(report.mounts()).isEqualTo(1);
            assertThat(report.nanos()).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
            assertThat(reports).as("one hog, one report").hasSize(1);
        }
    }

    @Test
    void aLagReportBlamesNoThread() throws Exception {
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        // A slice longer than the threshold lets one turn gather many 1 ms mounts: loop lag, no hog.
        try (Bridge bridge = Bridge.builder().shards(1).name("lag").stallThreshold(Duration.ofMillis(40))
                .turnSlice(Duration.ofSeconds(1)).listener(StallListener.of(reports::add)).build()) {
            List<CompletableFuture<Object>> tasks = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                tasks.add(bridge.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        spinFor(1);
                        Thread.yield();
                    }
                    return null;
                }));
            }
            for (CompletableFuture<Object> f : tasks) {
                Await.result(f);
            }
            Await.until("a lag report", () -> reports.stream().anyMatch(r -> r.kind() == StallReport.Kind.LAG));
            StallReport lag = reports.stream().filter(r -> r.kind() == StallReport.Kind.LAG).findFirst().orElseThrow();
            assertThat(lag.thread()).isNull();
            assertThat(lag.threadDescription()).isNull();
            assertThat(lag.stack()).isEmpty();
            assertThat(lag.mounts()).isGreaterThan(1);
            // What the mounts were: starts (each task begins with 1 ms of work) and resumes after Thread.yield().
            assertThat(lag.mountsByCause()).isNotEmpty().containsAnyOf(
                    java.util.Map.entry(DelayCause.START, lag.mountsByCause().getOrDefault(DelayCause.START, -1L)),
                    java.util.Map.entry(DelayCause.PARK, lag.mountsByCause().getOrDefault(DelayCause.PARK, -1L)));
            assertThat(lag.describe()).contains("mounts, none of them that long");
            assertThat(reports).as("no mount was a hog").noneMatch(r -> r.kind() == StallReport.Kind.HOG);
        }
    }

    @Test
    void aHogAfterShortMountsOfItsTurnIsAHogNotAlsoLag() throws Exception {
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        // A long slice keeps the short mounts and the hog in one turn.
        try (Bridge bridge = Bridge.builder().shards(1).name("hoglag").stallThreshold(Duration.ofMillis(50))
                .turnSlice(Duration.ofSeconds(1)).listener(StallListener.of(reports::add)).build()) {
            java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
            CompletableFuture<Object> holder = bridge.submit(() -> {
                Await.spinOnCarrier("the test queued the turn's work", release::get); // the rest queues behind it
                return null;
            });
            List<CompletableFuture<Long>> shortOnes = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                shortOnes.add(bridge.submit(() -> spinFor(1)));
            }
            CompletableFuture<Thread> hog = bridge.submit(() -> {
                spinFor(400);
                return Thread.currentThread();
            });
            release.set(true);
            Await.result(holder);
            for (CompletableFuture<Long> f : shortOnes) {
                Await.result(f);
            }
            Thread hogThread = Await.result(hog);
            Await.until("the hog's report", () -> reports.stream().anyMatch(r -> r.thread() == hogThread));
            assertThat(reports).as("the long turn is the hog's, not lag").noneMatch(r -> r.kind() == StallReport.Kind.LAG);
        }
    }

    @Test
    void aMovedHogRunsOnTheCpuPoolUntilItBlocksThenResumesOnItsLoop() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).name("mover").moveHogs(true).build()) {
            BridgeLock lock = new BridgeLock();
            CompletableFuture<List<String>> hog = bridge.submit(() -> {
                List<String> where = new ArrayList<>();
                where.add(place());          // a start: on its loop
                spinFor(5);                  // longer than the 500 us slice...
                Thread.yield();              // ...then a yield, not a block: moved
                where.add(place());
                spinFor(5);
                Thread.yield();              // still a hog: stays off the loop
                where.add(place());
                lock.lock();                 // vtbridge primitives work off the loop too (as outside bridged code)
                lock.unlock();
                LockSupport.parkNanos(2_000_000); // a block: the resume goes back to the loop
                where.add(place());
                return where;
            });
            List<String> where = Await.result(hog);
            assertThat(where.get(0)).isEqualTo("bridged on mover-shard-0");
            assertThat(where.get(1)).startsWith("off the loop on mover-cpu-");
            assertThat(where.get(2)).startsWith("off the loop on mover-cpu-");
            assertThat(where.get(3)).isEqualTo("bridged on mover-shard-0");
            ShardStats stats = bridge.shard(0).stats();
            assertThat(stats.hogMoves()).isEqualTo(2);
            assertThat(stats.hogReturns()).isEqualTo(1);
            assertThat(stats.events(EventPhase.REQUEST, EventKind.HOG)).isEqualTo(1);
            assertThat(stats.loopErrors()).isZero();
        }
    }

    @Test
    void withoutMovingAHogStaysOnItsLoop() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).name("stayer").build()) {
            String where = Await.result(bridge.submit(() -> {
                spinFor(5);
                Thread.yield();
                return place();
            }));
            assertThat(where).isEqualTo("bridged on stayer-shard-0");
            assertThat(bridge.shard(0).stats().hogMoves()).isZero();
        }
    }

    private static String place() {
        return (Bridge.current().isPresent() ? "bridged" : "off the loop") + " on " + JdkAccess.currentCarrierThread().getName();
    }
}
