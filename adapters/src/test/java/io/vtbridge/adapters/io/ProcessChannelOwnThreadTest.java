package io.vtbridge.adapters.io;

import io.vtbridge.testing.Await;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.vtbridge.adapters.io.ChildProcesses.framedChild;
import static io.vtbridge.adapters.io.ChildProcesses.liveThreads;
import static io.vtbridge.adapters.io.ChildProcesses.text;
import static io.vtbridge.adapters.io.ChildProcesses.utf8;
import static io.vtbridge.adapters.io.ProcessChannelTest.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dependent stages run on the channel's own threads, and from there a blocking call on the same
 * channel could never end: a {@code close()} called again by the thread that is closing returns at
 * once, and {@code call()} on the reader or writer thread is refused with an
 * {@link IllegalStateException} naming the deadlock instead of hanging the channel.
 */
@Timeout(120)
class ProcessChannelOwnThreadTest {

    @TempDir
    Path dir;

    private final List<ProcessChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(ProcessChannel::close);
    }

    private ProcessChannel open(ProcessChannelBuilder builder) {
        ProcessChannel channel = builder.build();
        channels.add(channel);
        return channel;
    }

    /** What {@code call} did: its answer as text, or what it threw. */
    private static Object tryCall(ProcessChannel channel, String request) {
        try {
            return text(channel.call(utf8(request)));
        } catch (Throwable t) {
            return t;
        }
    }

    @Test
    void closeCalledAgainFromAStageOfARequestThatCloseFailsReturnsAtOnce() throws Exception {
        // `sleep` never reads its input: a 4 MiB frame fills the pipe and the writer blocks in it.
        ProcessChannel channel = ProcessChannel.builder(List.of("sleep", "60")).name("reentrant-close")
                .destroyGrace(Duration.ofMillis(200)).build();
        CompletableFuture<byte[]> blob = channel.request(new byte[4 << 20]);
        Await.until("the writer in the middle of the blob", () -> channel.atChild() == 1 && channel.queued() == 0);
        CompletableFuture<byte[]> queued = channel.request(utf8("queued"));
        assertThat(channel.queued()).isEqualTo(1);
        CompletableFuture<Thread> innerClose = new CompletableFuture<>();
        queued.whenComplete((value, failure) -> {
            channel.close(); // on the closing thread, which is failing `queued` right now
            innerClose.complete(Thread.currentThread());
        });

        Thread closer = Thread.ofPlatform().name("closer").start(channel::close);
        Await.join("close() with a stage that closes again", closer);

        assertThat(Await.result("the stage's own close()", innerClose)).as("the stage ran on the closing thread").isSameAs(closer);
        assertThat(failureOf(queued)).isInstanceOf(ProcessChannelClosedException.class).hasMessageContaining("never was");
        assertThat(failureOf(blob)).isInstanceOf(ProcessChannelClosedException.class);
        assertThat(liveThreads("reentrant-close")).as("the outer close() still waited for every thread").isEmpty();
    }

    @Test
    void callFromAStageOnTheReaderThreadIsRefusedNamingTheDeadlock() throws Exception {
        ProcessChannel channel = open(ProcessChannel.builder(framedChild()).name("call-on-reader"));
        // Held by the child until the stage is attached, so that the reader thread completes it and runs the stage.
        CompletableFuture<byte[]> first = channel.request(utf8("wait-file:" + dir.resolve("gate") + ":first"));
        CompletableFuture<Object> nested = first.thenApply(answer -> tryCall(channel, "echo:nested"));
        Files.createFile(dir.resolve("gate"));

        assertThat(Await.result("the stage's call()", nested)).isInstanceOfSatisfying(IllegalStateException.class,
                refused -> assertThat(refused).hasMessageContaining("call-on-reader-child1-reader").hasMessageContaining("deadlock"));
        assertThat(text(channel.call(utf8("echo:after")))).as("the reader was never stuck").isEqualTo("2:AFTER");
    }

    @Test
    void callFromAStageOnTheWriterThreadIsRefusedNamingTheDeadlock() throws Exception {
        ProcessChannel channel = open(ProcessChannel.builder(List.of("sleep", "60")).name("call-on-writer")
                .maxRestarts(0).destroyGrace(Duration.ofMillis(200)));
        CompletableFuture<byte[]> blob = channel.request(new byte[4 << 20]); // `sleep` never reads: the writer blocks
        Await.until("the writer in the middle of the blob", () -> channel.atChild() == 1 && channel.queued() == 0);
        long pid = channel.pid().orElseThrow();
        // Failed by the writer (no restart allowed) once the child is gone, so the stage runs on the writer thread.
        CompletableFuture<byte[]> refusedByWriter = channel.request(utf8("next"));
        CompletableFuture<Object> nested = refusedByWriter.handle((answer, failure) -> tryCall(channel, "nested"));
        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();

        assertThat(Await.result("the stage's call()", nested)).isInstanceOfSatisfying(IllegalStateException.class,
                refused -> assertThat(refused).hasMessageContaining("call-on-writer-writer").hasMessageContaining("deadlock"));
        assertThat(failureOf(refusedByWriter)).isInstanceOf(ProcessRestartLimitException.class);
        assertThat(failureOf(blob)).isInstanceOf(ProcessDiedException.class);
    }

    @Test
    void callFromAnAsyncStageRunsOffTheChannelsThreadsAndIsAnswered() throws Exception {
        ProcessChannel channel = open(ProcessChannel.builder(framedChild()).name("async-stage"));
        CompletableFuture<byte[]> first = channel.request(utf8("wait-file:" + dir.resolve("gate") + ":first"));
        CompletableFuture<Object> nested = first.thenApplyAsync(answer -> tryCall(channel, "echo:nested"));
        Files.createFile(dir.resolve("gate"));
        assertThat(Await.result("the async stage's call()", nested)).isEqualTo("2:NESTED");
    }
}
