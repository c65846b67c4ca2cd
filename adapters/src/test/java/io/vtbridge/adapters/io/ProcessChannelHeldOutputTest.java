package io.vtbridge.adapters.io;

import io.vtbridge.testing.Await;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static io.vtbridge.adapters.io.ChildProcesses.killWrittenPid;
import static io.vtbridge.adapters.io.ChildProcesses.liveThreads;
import static io.vtbridge.adapters.io.ChildProcesses.shell;
import static io.vtbridge.adapters.io.ChildProcesses.utf8;
import static io.vtbridge.adapters.io.ProcessChannelTest.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A child that exits while a process it started (a grandchild) keeps its standard output and error
 * open: the channel's reader never sees the end of the output, yet the child's requests fail with
 * its exit code and stderr tail, {@code close()} returns with every future complete, and the two
 * threads blocked on the held pipes are the only ones left, ending when the grandchild goes.
 */
@Timeout(120)
class ProcessChannelHeldOutputTest {

    @TempDir
    Path dir;

    @Test
    void aChildThatExitsWhileAGrandchildHoldsItsOutputFailsItsRequestsWithItsExitCodeAndStderrTail() throws Exception {
        Path grandchild = dir.resolve("grandchild.pid");
        ProcessChannel channel = ProcessChannel.builder(shell(
                        "sleep 60 & echo $! > \"$1\"; echo 'child leaving its grandchild behind' >&2; sleep 1; exit 3",
                        grandchild.toString()))
                .name("held-output").destroyGrace(Duration.ofMillis(200)).build();
        try {
            CompletableFuture<byte[]> request = channel.request(utf8("never answered"));

            Throwable failure = failureOf(request);
            assertThat(failure).isInstanceOfSatisfying(ProcessDiedException.class, died -> {
                assertThat(died.exitCode()).isEqualTo(3);
                assertThat(died.stderrTail()).contains("child leaving its grandchild behind");
                assertThat(died.getCause()).isInstanceOf(IOException.class).hasMessageContaining("still open");
            });
            assertThat(channel.inFlight()).isZero();

            long start = System.nanoTime();
            channel.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close does not wait for reads it cannot end")
                    .isLessThan(Duration.ofSeconds(8));
            assertThat(liveThreads("held-output")).as("only the threads blocked on the pipes the grandchild holds")
                    .isSubsetOf("held-output-child1-reader", "held-output-child1-stderr");
        } finally {
            killWrittenPid(grandchild);
        }
        Await.until("the blocked reads end once the grandchild has gone", () -> liveThreads("held-output").isEmpty());
    }

    @Test
    void closeFailsWhatIsStillInFlightWhenTheChildsReaderCannotEnd() throws Exception {
        Path grandchild = dir.resolve("grandchild.pid");
        Path gate = dir.resolve("gate");
        // Reads one request frame (4 + 4 bytes), waits for the gate, answers it ("ok") and exits 3,
        // leaving a grandchild that holds its output.
        ProcessChannel channel = ProcessChannel.builder(shell(
                        "sleep 60 & echo $! > \"$1\"; head -c 8 > /dev/null;"
                                + " while [ ! -e \"$2\" ]; do sleep 0.01; done; printf '\\000\\000\\000\\002ok'; exit 3",
                        grandchild.toString(), gate.toString()))
                .name("held-reader").destroyGrace(Duration.ofMillis(200)).build();
        CountDownLatch inStage = new CountDownLatch(1);
        CountDownLatch releaseStage = new CountDownLatch(1);
        try {
            CompletableFuture<byte[]> first = channel.request(utf8("ping"));
            // Runs on the reader thread when the answer comes, and holds it there.
            CompletableFuture<Void> held = first.thenRun(() -> {
                inStage.countDown();
                StreamOffloadTest.awaitIgnoringInterrupts(releaseStage);
            });
            CompletableFuture<byte[]> second = channel.request(utf8("pong"));
            Await.until("both written to the child", () -> channel.atChild() == 2);
            Files.createFile(gate);
            Await.latch("the reader in the first answer's stage", inStage);

            channel.close(); // the reader can neither end its stage nor, after it, see the end of the output

            assertThat(failureOf(second)).isInstanceOf(ProcessChannelClosedException.class)
                    .cause().isInstanceOfSatisfying(ProcessDiedException.class, died -> assertThat(died.exitCode()).isEqualTo(3));
            assertThat(channel.inFlight()).isZero();
            releaseStage.countDown();
            Await.result("the first answer's stage", held);
        } finally {
            releaseStage.countDown();
            killWrittenPid(grandchild);
        }
        Await.until("the blocked reads end once the grandchild has gone", () -> liveThreads("held-reader").isEmpty());
    }
}
