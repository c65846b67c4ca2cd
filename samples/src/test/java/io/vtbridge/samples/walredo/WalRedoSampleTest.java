package io.vtbridge.samples.walredo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample itself, tiny: N = 1 and 8, a second each, every answer verified, nothing left running. */
class WalRedoSampleTest {

    @Test
    void smokeBothModesAnswerEverythingRightAndLeaveNothingRunning(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("walredo.csv");
        WalRedoOptions o = WalRedoOptions.quick().withCallers(List.of(1, 8)).withSeconds(1).withWarmupSeconds(0.2)
                .withPages(64).withCsv(csv);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        WalRedoResult r = WalRedoSample.run(o, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String text = printed.toString(StandardCharsets.UTF_8);

        assertThat(r.verified()).as(text).isTrue();
        assertThat(r.rows()).hasSize(4);
        for (String mode : List.of("sync", "async")) {
            for (int callers : List.of(1, 8)) {
                WalRedoRow row = r.row(mode, callers).orElseThrow();
                assertThat(row.calls()).as("%s at %d: %s", mode, callers, text).isGreaterThan(100);
                assertThat(row.callsPerSecond()).isGreaterThan(100);
                assertThat(row.callsPerSecond() * 1.0).isLessThan(row.calls() * 2.0);   // a round is about a second
                assertThat(row.mismatches()).isZero();
                assertThat(row.failures()).isZero();
                assertThat(row.p50Micros()).isPositive().isLessThanOrEqualTo(row.p99Micros());
                assertThat(row.p99Micros()).isLessThan(TimeUnit.SECONDS.toMicros(1) * 1.0);  // generous sanity bound
            }
        }
        assertThat(r.syncReadBackMismatches()).isZero();
        assertThat(r.asyncReadBackMismatches()).isZero();
        assertThat(r.restarts()).isZero();
        assertThat(r.ratio(8)).isPresent();
        assertThat(r.knee("sync")).isPresent();
        assertThat(text).contains("sync calls/s").contains("verified:").contains(": OK");

        // the children are gone, and so are the sample's threads
        assertThat(r.childPids()).hasSize(2).allSatisfy(pid ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("child pid %d", pid).isNotEqualTo(Optional.of(true)));
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive)
                .extracting(Thread::getName).noneMatch(name -> name.startsWith("walredo"));

        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo(String.join(",", WalRedoRow.HEADER));
        assertThat(lines.get(1)).startsWith("sync,1,1,");
        assertThat(lines.get(2)).startsWith("async,1,1,");
    }

    @Test
    void smokeAsyncCallersAsChainsOfFuturesAreVerifiedToo() throws Exception {
        WalRedoOptions o = WalRedoOptions.quick().withCallers(List.of(1, 8)).withSeconds(0.5).withWarmupSeconds(0)
                .withPages(16).withBridgedCallers(false);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        WalRedoResult r = WalRedoSample.run(o, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(r.verified()).as(text).isTrue();
        assertThat(text).contains("chains of channel.request futures");
        for (int callers : List.of(1, 8)) {
            assertThat(r.row("async", callers).orElseThrow().calls()).as(text).isGreaterThan(100);
        }
        assertThat(r.asyncReadBackMismatches()).isZero();
    }

    @Test
    void aBadOptionExitsWithCode2NamingIt() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), WalRedoSample.class.getName(), "--rounds", "many")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("walredo: --rounds is not an integer: many");
    }
}
