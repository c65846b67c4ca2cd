package io.vtbridge.samples.jobqueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sample with tiny sizes: 16 idle waiters exhaust the 16-thread pool and not the bridge (behind
 * either front end), 50 long polls (from a child JVM) on each front end all get their change, the
 * figures add up, and everything stops.
 */
class JobQueueSampleSmokeTest {

    @Test
    void theAttackBlocksTheFixedPoolNotTheBridgeAndEveryWaiterGetsItsChange(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("jobqueue.csv");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Result result = JobQueueSample.run(Options.parse("--waiters", "50", "--warm-up", "100", "--list-rate", "40",
                "--list-seconds", "0.5", "--list-timeout-ms", "1000", "--csv", csv.toString()),
                new PrintStream(printed, true, StandardCharsets.UTF_8));
        String out = printed.toString(StandardCharsets.UTF_8);

        assertThat(result.rows()).extracting(r -> r.scenario() + " " + r.server()).containsExactly(
                "bare-waiters-cold bridge", "bare-waiters bridge", "attack fixed-16", "attack bridge", "attack bridge-lean",
                "long-poll bridge", "long-poll bridge-lean");
        Result.Row fixed = result.row("attack", "fixed-16");
        assertThat(fixed.parked()).as("16 waiters hold the 16 pool threads").isEqualTo(16);
        assertThat(fixed.listDue()).isPositive();
        assertThat(fixed.listOk()).as("nobody else is served on the exhausted pool\n%s", out).isZero();
        assertThat(fixed.submitOk()).isZero();

        for (String bridge : List.of("bridge", "bridge-lean")) {
            Result.Row attacked = result.row("attack", bridge);
            assertThat(attacked.parked()).as(bridge).isEqualTo(16);
            assertThat(attacked.listOk()).as("every list answered on %s\n%s", bridge, out).isEqualTo(attacked.listDue())
                    .isPositive();
            assertThat(attacked.submitOk()).as(bridge).isEqualTo(attacked.submitSent());
            assertThat(attacked.listP99Ms()).as(bridge).isLessThan(1_000);

            Result.Row poll = result.row("long-poll", bridge);
            assertThat(poll.parked()).as(bridge).isEqualTo(50);
            assertThat(poll.listOk()).as(bridge).isEqualTo(poll.listDue()).isPositive();
            assertThat(poll.submitOk()).as(bridge).isEqualTo(poll.submitSent());
            assertThat(poll.serverThreads()).as("%s: threads do not grow with waiters", bridge)
                    .isLessThanOrEqualTo(poll.serverThreadsIdle());
        }
        Result.Row jdkPoll = result.row("long-poll", "bridge");
        Result.Row leanPoll = result.row("long-poll", "bridge-lean");
        assertThat(jdkPoll.heapPerWaiter()).as("a waiter of the JDK's HttpServer holds its connection's buffers (20 KB and more)")
                .isGreaterThan(10_000);
        // 50 lean waiters (about 100 KB) are within the noise of two after-GC readings: only compared, coarsely.
        assertThat(leanPoll.heapPerWaiter()).as("a lean waiter holds no such buffers\n%s", out)
                .isLessThan(jdkPoll.heapPerWaiter() / 2);

        for (Result.Row row : result.rows()) {
            assertThat(row.notified()).as("%s on %s: every waiter got its change", row.scenario(), row.server())
                    .isEqualTo(row.waiters());
        }
        // 50 bare waiters (about 50 KB) are within the noise of two after-GC readings: only measured, not checked.
        assertThat(result.row("bare-waiters", "bridge").heapPerWaiter()).isFinite();
        assertThat(result.goals()).hasSize(7).allMatch(g -> g.endsWith(": met") || g.endsWith(": missed"));
        assertThat(result.goals().get(0)).as("the attack goal").endsWith(": met");

        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(1 + result.rows().size());
        assertThat(lines.get(0)).isEqualTo(String.join(",", Result.HEADER));
        assertThat(out).contains("goal: ", "threads, long-poll on bridge ", "threads, long-poll on bridge-lean ",
                "HTTP_SERVER 1: lean-http-acceptor-N");

        assertThat(leftOver()).as("threads of the sample still alive").isEmpty();
    }

    @Test
    void badOptionsNameTheOptionAndTheValue() {
        assertThatThrownBy(() -> Options.parse("--waiters", "0")).hasMessage("--waiters must be in 1..1000000: 0");
        assertThatThrownBy(() -> Options.parse("--list-rate", "fast")).hasMessage("--list-rate must be a number: fast");
        assertThatThrownBy(() -> Options.parse("--shards")).hasMessage("--shards needs a value");
        assertThatThrownBy(() -> Options.parse("--bogus")).hasMessageContaining("unknown option: --bogus");
        Options quick = Options.parse("--quick", "--waiters", "123");
        assertThat(quick.waiters()).as("an explicit option wins over --quick").isEqualTo(123);
        assertThat(quick.listDuration().toSeconds()).isEqualTo(2);
    }

    @Test
    void mainExitsWith2AndOneLineOnABadOption() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                JobQueueSample.class.getName(), "--setup-rate", "-5").redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).isEqualTo("jobqueue: --setup-rate must be in 1..1000000: -5");
    }

    /** Live threads the sample starts, after a grace period for those that are ending. */
    private static Set<String> leftOver() throws InterruptedException {
        Set<String> alive = Set.of();
        for (int i = 0; i < 100; i++) {
            alive = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.startsWith("jobqueue-") || n.startsWith("fixed-pool-") || n.startsWith("loadgen-")
                            || n.equals("HTTP-Dispatcher") || n.equals("idle-timeout-task") || n.startsWith("HttpClient-")
                            || n.startsWith(LeanHttpServer.ACCEPTOR_NAME))
                    .collect(Collectors.toSet());
            if (alive.isEmpty()) {
                break;
            }
            Thread.sleep(50);                                    // threads that were told to stop, ending
        }
        return alive;
    }
}
