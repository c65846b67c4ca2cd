package io.vtbridge;

import io.vtbridge.loop.LoopThread;
import io.vtbridge.monitor.StallReport;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.Cpu;
import io.vtbridge.testing.StallListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A loop's carrier that the machine gives no CPU is not a hog: the watchdog reads the carrier's CPU
 * time and its state in the kernel (Linux's per-thread stat) and reports such a stall as
 * {@link StallReport.Kind#STARVED}, naming no thread, and never hands the loop off for it.
 */
@Timeout(120)
class StarvedCarrierTest {

    /** Starts {@code n} platform threads that keep a core busy until clock {@code until}, into {@code started}. */
    private static void startBurners(int n, long until, List<Thread> started) {
        for (int b = 0; b < n; b++) {
            started.add(Thread.ofPlatform().daemon().name("burner-" + b).start(() -> {
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
            }));
        }
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }

    private static boolean kernelShowsThreads() {
        return Files.isReadable(Path.of("/proc/thread-self/stat"));
    }

    @Test
    void theRuleAtItsEdges() {
        long window = 100;
        long threshold = 1_000;
        assertThat(StallWatchdog.isStarved('R', 24, window, threshold)).as("runnable, under a quarter running").isTrue();
        assertThat(StallWatchdog.isStarved('R', 0, window, threshold)).as("runnable, never ran").isTrue();
        assertThat(StallWatchdog.isStarved('R', 25, window, threshold)).as("a quarter running: its own CPU work").isFalse();
        assertThat(StallWatchdog.isStarved('R', window, window, threshold)).as("computing: a hog").isFalse();
        assertThat(StallWatchdog.isStarved('R', 250, 10_000, threshold))
                .as("a small share of a CPU, but a quarter of the threshold run: a hog on an overloaded machine").isFalse();
        assertThat(StallWatchdog.isStarved('R', 249, 10_000, threshold)).as("just under both quarters").isTrue();
        assertThat(StallWatchdog.isStarved('S', 0, window, threshold)).as("blocked in a system call: a hog").isFalse();
        assertThat(StallWatchdog.isStarved('D', 0, window, threshold)).as("blocked on a disk: a hog").isFalse();
        assertThat(StallWatchdog.isStarved('?', 0, window, threshold)).as("state unknown: a hog, as before").isFalse();
        assertThat(StallWatchdog.isStarved('R', 0, 0, threshold)).as("no window").isFalse();
    }

    @Test
    void aCarrierShowsItsKernelState() throws Exception {
        assumeTrue(kernelShowsThreads(), "no per-thread /proc here");
        try (Bridge bridge = Bridge.builder().shards(1).name("kernel-state").build()) {
            LoopThread carrier = bridge.shards().get(0).loop().thread();
            Await.result(bridge.submit(() -> null)); // the carrier has started and found its file
            char onItself = Await.result(bridge.submit(carrier::kernelState));
            assertThat(onItself).as("read while it runs").isEqualTo('R');
            Await.until("the idle loop parks", () -> carrier.kernelState() == 'S');
        }
    }

    /**
     * A mount that computes without a pause on an overloaded machine is a hog, however small its
     * carrier's share of a CPU: once it has run a quarter of the threshold it is named, and handed
     * off under HAND_OFF. (A rule on the share alone called it starved for ever.)
     */
    @Test
    void aRealHogOnAnOverloadedMachineIsStillAHogAndIsHandedOff() throws Exception {
        assumeTrue(kernelShowsThreads(), "no per-thread /proc here");
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        int cpus = Runtime.getRuntime().availableProcessors();
        List<Thread> burners = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        try (Bridge bridge = Bridge.builder().shards(1).name("starved-hog").stallThreshold(Duration.ofMillis(10))
                .blockingPolicy(BlockingPolicy.HAND_OFF).listener(StallListener.of(reports::add)).build()) {
            startBurners(8 * cpus, until, burners);
            CompletableFuture<Object> hog = bridge.submit(() -> {
                Cpu.spinMillis(1_000); // a second of wall time, no pause: a share of a CPU, but far more than 2.5 ms of it
                return null;
            });
            Await.result(hog);
            Await.until("a hog report", () -> reports.stream().anyMatch(r -> r.kind() == StallReport.Kind.HOG));
            assertThat(reports).as("the computing mount was handed off").anyMatch(StallReport::handedOff);
        } finally {
            joinAll(burners);
        }
    }

    /**
     * Short mounts (20 µs of work, then a yield) on 2 shards while 8 platform threads per CPU burn
     * every core: the loops' carriers wait for a CPU in the middle of mounts for longer than the
     * 10 ms threshold. Without the kernel's figures the watchdog reported every such stall as a hog,
     * blaming whatever thread was mounted, and under HAND_OFF moved the loops; now they are STARVED,
     * and none of those is handed off.
     */
    @Test
    void shortMountsOnCarriersStarvedOfCpuAreReportedAsStarvedNotAsHogs() throws Exception {
        assumeTrue(kernelShowsThreads(), "no per-thread /proc here");
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        int cpus = Runtime.getRuntime().availableProcessors();
        List<Thread> burners = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        try (Bridge bridge = Bridge.builder().shards(2).name("starved").stallThreshold(Duration.ofMillis(10))
                .blockingPolicy(BlockingPolicy.HAND_OFF).listener(StallListener.of(reports::add)).build()) {
            startBurners(8 * cpus, until, burners);
            List<CompletableFuture<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                tasks.add(bridge.submit(() -> {
                    int mounts = 0;
                    while (System.nanoTime() - until < 0) {
                        Cpu.spinMicros(20);
                        Thread.yield();
                        mounts++;
                    }
                    return mounts;
                }));
            }
            for (CompletableFuture<Integer> task : tasks) {
                assertThat(Await.result(task)).isPositive();
            }
            joinAll(burners);
            long starved = reports.stream().filter(r -> r.kind() == StallReport.Kind.STARVED).count();
            long hogs = reports.stream()
                    .filter(r -> r.kind() == StallReport.Kind.HOG || r.kind() == StallReport.Kind.LOOP_BLOCKED).count();
            assertThat(starved).as("the burners starved the carriers, and the watchdog saw it: " + reports).isPositive();
            // A carrier can also sit blocked (not runnable) inside a short mount, e.g. in a JVM
            // safepoint that starved threads are slow to reach: that is still judged a hog. Before
            // the kernel's figures were read, every one of these stalls was a hog.
            assertThat(hogs).as("short mounts judged hogs: " + reports).isLessThanOrEqualTo(Math.max(2, starved / 4));
            assertThat(reports.stream().filter(StallReport::handedOff).count())
                    .as("hand-offs: only hogs are handed off, never a starved carrier").isLessThanOrEqualTo(hogs);
            for (StallReport r : reports) {
                if (r.kind() == StallReport.Kind.STARVED) {
                    assertThat(r.describe()).contains("waiting for a CPU").contains("no thread is to blame");
                }
            }
        } finally {
            joinAll(burners);
        }
    }
}
