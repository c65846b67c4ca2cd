package io.vtbridge.adapters.io;

import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static io.vtbridge.adapters.io.ChildProcesses.framedChild;
import static io.vtbridge.adapters.io.ChildProcesses.liveThreads;
import static io.vtbridge.adapters.io.ChildProcesses.text;
import static io.vtbridge.adapters.io.ChildProcesses.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ProcessChannel} against {@link FramedChild}, a real child JVM: pipelining many callers on
 * one child, a child killed mid-stream, exits with a code and stderr, restart limits, cancellation
 * before and after the write, a write poisoned half-way, a child out of step, close.
 */
@Timeout(120)
class ProcessChannelTest {

    @TestBridge(shards = 2)
    Bridge bridge;

    @TempDir
    Path dir;

    private final List<ProcessChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(ProcessChannel::close);
    }

    private ProcessChannelBuilder child(String name) {
        return ProcessChannel.builder(framedChild()).name(name);
    }

    private ProcessChannel open(ProcessChannelBuilder builder) {
        ProcessChannel channel = builder.build();
        channels.add(channel);
        return channel;
    }

    /** A request the child holds (reading nothing more) until {@link #release} creates its file. */
    private String hold(String name, String text) {
        return "wait-file:" + dir.resolve(name) + ":" + text;
    }

    private void release(String name) throws IOException {
        Files.createFile(dir.resolve(name));
    }

    @Test
    void fiveHundredBridgedCallersArePipelinedToOneChildAndEachGetsItsOwnAnswer() throws Exception {
        ProcessChannel channel = open(child("pipelined").maxInFlight(1000));
        long pid = Long.parseLong(text(channel.call(utf8("pid"))).split(":")[1]);
        CompletableFuture<byte[]> held = channel.request(utf8(hold("gate", "gate")));

        List<CompletableFuture<String>> callers = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String word = "caller-" + i;
            callers.add(bridge.submit(() -> text(channel.call(utf8("echo:" + word)))));
        }
        // The child answers nothing until the gate opens, so all 500 are written to it at once.
        Await.until("all 501 requests written to the one child", () -> channel.atChild() == 501);
        assertThat(Await.result("a plain task while 500 bridged callers wait", bridge.submit(() -> "free")))
                .as("callers wait unmounted: the shards keep running").isEqualTo("free");
        release("gate");

        assertThat(text(Await.result(held))).isEqualTo("2:GATE");
        Set<Integer> sequence = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            String[] answer = Await.result("caller " + i, callers.get(i)).split(":");
            assertThat(answer[1]).as("caller %d's answer", i).isEqualTo("CALLER-" + i);
            sequence.add(Integer.parseInt(answer[0]));
        }
        assertThat(sequence).as("each request read once by the child, frames 3..502").hasSize(500)
                .allMatch(n -> n >= 3 && n <= 502);
        assertThat(channel.pid()).hasValue(pid);
        assertThat(channel.restarts()).isZero();
        assertThat(channel.inFlight()).isZero();
    }

    @Test
    void aChildKilledMidStreamFailsEveryRequestInFlightWithItsExitCodeAndStderrTailAndTheNextRestartsIt() throws Exception {
        ProcessChannel channel = open(child("killed"));
        assertThat(text(channel.call(utf8("stderr:warming up")))).isEqualTo("1:ok");
        long pid = channel.pid().orElseThrow();

        List<CompletableFuture<byte[]>> inFlight = new ArrayList<>();
        inFlight.add(channel.request(utf8(hold("never", "held"))));
        for (int i = 0; i < 20; i++) {
            int n = i;
            inFlight.add(bridge.submit(() -> channel.call(utf8("echo:" + n))));
        }
        Await.until("21 requests written to the child", () -> channel.atChild() == 21);
        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();

        for (CompletableFuture<byte[]> f : inFlight) {
            Throwable failure = failureOf(f);
            assertThat(failure).isInstanceOf(ProcessDiedException.class);
            ProcessDiedException died = (ProcessDiedException) failure;
            assertThat(died.pid()).isEqualTo(pid);
            assertThat(died.exitCode()).as("SIGKILL on Linux").isEqualTo(137);
            assertThat(died.stderrTail()).contains("framed child pid " + pid + " started").contains("warming up");
            assertThat(died.getMessage()).contains("exit code 137").contains("warming up");
        }
        assertThat(text(channel.call(utf8("echo:after")))).as("a new child's first frame").isEqualTo("1:AFTER");
        assertThat(channel.pid().orElseThrow()).isNotEqualTo(pid);
        assertThat(channel.restarts()).isEqualTo(1);
        assertThat(channel.inFlight()).isZero();
    }

    @Test
    void aChildThatExitsReportsItsExitCodeAndWhatItWroteToStderr() throws Exception {
        ProcessChannel channel = open(child("exits"));
        assertThatThrownBy(() -> channel.call(utf8("die:42:out of pages, giving up")))
                .isInstanceOfSatisfying(ProcessDiedException.class, died -> {
                    assertThat(died.exitCode()).isEqualTo(42);
                    assertThat(died.stderrTail()).endsWith("out of pages, giving up\n");
                    assertThat(died.getCause()).as("the child closed its output: nothing else went wrong").isNull();
                });
        assertThat(text(channel.call(utf8("echo:again")))).isEqualTo("1:AGAIN");
    }

    @Test
    void restartsBeyondTheLimitFailWithATypedErrorNamingIt() throws Exception {
        ProcessChannel channel = open(child("limited").maxRestarts(1));
        assertThatThrownBy(() -> channel.call(utf8("die:3:first"))).isInstanceOf(ProcessDiedException.class);
        assertThat(text(channel.call(utf8("echo:restarted")))).isEqualTo("1:RESTARTED");
        assertThatThrownBy(() -> channel.call(utf8("die:4:second"))).isInstanceOf(ProcessDiedException.class);

        assertThatThrownBy(() -> channel.call(utf8("echo:refused")))
                .isInstanceOfSatisfying(ProcessRestartLimitException.class, limit -> {
                    assertThat(limit.maxRestarts()).isEqualTo(1);
                    assertThat(limit.restartWindow()).isEmpty();
                    assertThat(limit.getMessage()).contains("maxRestarts=1").contains("in total");
                    assertThat(limit.getCause()).isInstanceOfSatisfying(ProcessDiedException.class,
                            last -> assertThat(last.exitCode()).isEqualTo(4));
                });
        assertThat(channel.restarts()).isEqualTo(1);
        assertThat(channel.inFlight()).isZero();
    }

    @Test
    void aRequestCancelledBeforeTheWriterTookItIsNeverWritten() throws Exception {
        ProcessChannel channel = open(child("cancel-before"));
        CompletableFuture<byte[]> held = channel.request(utf8(hold("gate", "held")));
        // 1 MiB does not fit the pipe while the child reads nothing: the writer blocks in its write.
        CompletableFuture<byte[]> blob = channel.request(utf8("blob:" + "x".repeat(1 << 20)));
        Await.until("the writer in the middle of the blob", () -> channel.atChild() == 2 && channel.queued() == 0);
        CompletableFuture<byte[]> cancelled = channel.request(utf8("echo:cancelled"));
        CompletableFuture<byte[]> next = channel.request(utf8("echo:next"));
        assertThat(channel.queued()).as("both wait behind the blocked writer").isEqualTo(2);
        assertThat(cancelled.cancel(true)).isTrue();
        release("gate");

        assertThat(text(Await.result(held))).isEqualTo("1:HELD");
        assertThat(text(Await.result(blob))).isEqualTo("2:BLOB");
        assertThat(text(Await.result(next))).as("frame 3: the cancelled request never reached the child").isEqualTo("3:NEXT");
        assertThat(cancelled).isCancelled();
        assertThat(channel.discardedResponses()).isZero();
        assertThat(channel.inFlight()).isZero();
    }

    @Test
    void aRequestCancelledAfterItWasWrittenHasItsResponseReadAndDiscarded() throws Exception {
        ProcessChannel channel = open(child("cancel-after"));
        CompletableFuture<byte[]> held = channel.request(utf8(hold("gate", "held")));
        CompletableFuture<byte[]> written = channel.request(utf8("echo:written"));
        Await.until("both taken by the writer", () -> channel.atChild() == 2);
        assertThat(written.cancel(true)).isTrue();
        release("gate");

        assertThat(text(Await.result(held))).isEqualTo("1:HELD");
        assertThat(text(channel.call(utf8("echo:after")))).as("its own answer, not the cancelled one's").isEqualTo("3:AFTER");
        assertThat(channel.discardedResponses()).isEqualTo(1);
        assertThat(channel.inFlight()).isZero();
    }

    @Test
    void aBridgedCallerInterruptedWhileWaitingGivesItsRequestUpAndTheStreamStaysInStep() throws Exception {
        ProcessChannel channel = open(child("interrupted"));
        CompletableFuture<Thread> caller = new CompletableFuture<>();
        CompletableFuture<String> outcome = bridge.submit(() -> {
            caller.complete(Thread.currentThread());
            try {
                return text(channel.call(utf8(hold("gate", "held"))));
            } catch (InterruptedException e) {
                return "interrupted";
            }
        });
        Await.until("the request written", () -> channel.atChild() == 1);
        Await.result(caller).interrupt();
        assertThat(Await.result(outcome)).isEqualTo("interrupted");
        release("gate");

        assertThat(text(channel.call(utf8("echo:after")))).isEqualTo("2:AFTER");
        assertThat(channel.discardedResponses()).isEqualTo(1);
    }

    @Test
    void aWriteFailingHalfWayPoisonsTheFramingAndTheChildIsReplacedNotSpokenToOutOfStep() throws Exception {
        IOException halfWay = new IOException("disk of frames full, half a frame written");
        Framing flaky = new Framing() {
            private final Framing plain = Framing.lengthPrefixed();

            @Override
            public void writeFrame(java.io.OutputStream out, byte[] payload) throws IOException {
                if (text(payload).startsWith("echo:poison")) {
                    out.write(new byte[] {0, 0}); // half a length
                    throw halfWay;
                }
                plain.writeFrame(out, payload);
            }

            @Override
            public byte[] readFrame(java.io.InputStream in) throws IOException {
                return plain.readFrame(in);
            }
        };
        ProcessChannel channel = open(child("poisoned").framing(flaky));
        assertThat(text(channel.call(utf8("echo:before")))).isEqualTo("1:BEFORE");
        long pid = channel.pid().orElseThrow();

        assertThatThrownBy(() -> channel.call(utf8("echo:poison")))
                .isInstanceOfSatisfying(ProcessDiedException.class, died -> {
                    assertThat(died.pid()).isEqualTo(pid);
                    assertThat(died.getCause()).as("the original failure of the write").isSameAs(halfWay);
                    assertThat(died.exitCode()).as("killed: its input was out of step").isEqualTo(137);
                });
        assertThat(text(channel.call(utf8("echo:after")))).as("a new child, in step").isEqualTo("1:AFTER");
        assertThat(channel.pid().orElseThrow()).isNotEqualTo(pid);
        assertThat(channel.restarts()).isEqualTo(1);
    }

    @Test
    void aChildWhoseOutputIsOutOfStepIsReplaced() throws Exception {
        ProcessChannel channel = open(child("garbage"));
        assertThatThrownBy(() -> channel.call(utf8("garbage")))
                .isInstanceOfSatisfying(ProcessDiedException.class, died -> assertThat(died.getCause())
                        .isInstanceOf(IOException.class).hasMessageContaining("more than maxFrameBytes"));
        assertThat(text(channel.call(utf8("echo:fine")))).isEqualTo("1:FINE");
    }

    @Test
    void overloadIsATypedRejection() throws Exception {
        ProcessChannel channel = open(child("overload").maxInFlight(2));
        CompletableFuture<byte[]> a = channel.request(utf8(hold("gate", "a")));
        CompletableFuture<byte[]> b = channel.request(utf8("echo:b"));
        CompletableFuture<byte[]> refused = channel.request(utf8("echo:c"));
        assertThat(failureOf(refused)).isInstanceOfSatisfying(ProcessChannelOverloadedException.class,
                e -> assertThat(e.maxInFlight()).isEqualTo(2));
        assertThatThrownBy(() -> channel.call(utf8("echo:d"))).isInstanceOf(ProcessChannelOverloadedException.class);
        release("gate");
        assertThat(text(Await.result(a))).isEqualTo("1:A");
        assertThat(text(Await.result(b))).isEqualTo("2:B");
    }

    @Test
    void aChildThatCannotStartFailsTheRequestWithTheStartsOwnException() {
        ProcessChannel channel = open(ProcessChannel.builder(List.of(dir.resolve("no-such-program").toString())));
        CompletableFuture<byte[]> f = channel.request(utf8("echo:x"));
        assertThat(failureOf(f)).isExactlyInstanceOf(IOException.class).hasMessageContaining("no-such-program");
        assertThatThrownBy(() -> channel.call(utf8("echo:y"))).isExactlyInstanceOf(IOException.class);
    }

    @Test
    void closeLetsTheChildAnswerWhatItWasSentThenEndsEveryThread() throws Exception {
        ProcessChannel channel = child("graceful").build();
        CompletableFuture<byte[]> slow = channel.request(utf8("sleep:200:slow"));
        Await.until("the request written", () -> channel.atChild() == 1);
        channel.close();
        assertThat(text(slow.getNow(null))).as("answered before the child exited at the end of its input").isEqualTo("1:SLOW");
        assertThat(liveThreads("graceful")).isEmpty();
    }

    @Test
    void closeFailsWhatIsPendingDestroysTheChildAndLeaksNoThread() throws Exception {
        ProcessChannel channel = child("leak-check").destroyGrace(java.time.Duration.ofMillis(300)).build();
        assertThat(text(channel.call(utf8("echo:up")))).isEqualTo("1:UP");
        long pid = channel.pid().orElseThrow();
        CompletableFuture<byte[]> held = channel.request(utf8(hold("never", "held")));
        CompletableFuture<byte[]> blob = channel.request(utf8("blob:" + "x".repeat(1 << 20)));
        Await.until("the writer in the middle of the blob", () -> channel.atChild() == 2 && channel.queued() == 0);
        CompletableFuture<byte[]> unwritten = channel.request(utf8("echo:unwritten"));
        assertThat(liveThreads("leak-check")).hasSize(3); // writer, reader, stderr

        channel.close();

        assertThat(failureOf(unwritten)).isInstanceOf(ProcessChannelClosedException.class).hasMessageContaining("never was");
        for (CompletableFuture<byte[]> f : List.of(held, blob)) {
            assertThat(failureOf(f)).isInstanceOf(ProcessChannelClosedException.class)
                    .hasCauseInstanceOf(ProcessDiedException.class);
        }
        assertThat(liveThreads("leak-check")).as("no thread of the channel outlives close()").isEmpty();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the child").isNotEqualTo(java.util.Optional.of(true));
        assertThat(failureOf(channel.request(utf8("echo:late")))).isInstanceOf(ProcessChannelClosedException.class);
        assertThat(channel.inFlight()).isZero();
        channel.close(); // idempotent
    }

    @Test
    void closeFromTheChannelsOwnThreadIsRefused() throws Exception {
        ProcessChannel channel = open(child("own-thread"));
        // Held by the child until the stage below is attached, so the reader thread completes it and runs the stage.
        CompletableFuture<Throwable> refusal = channel.request(utf8(hold("gate", "x"))).handle((value, failure) -> {
            try {
                channel.close(); // runs on the reader thread that completed the request
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        release("gate");
        assertThat(Await.result(refusal)).isInstanceOf(IllegalStateException.class).hasMessageContaining("own thread");
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> ProcessChannel.builder((List<String>) null)).hasMessage("command");
        assertThatThrownBy(() -> ProcessChannel.builder(List.of())).hasMessage("command must not be empty");
        assertThatThrownBy(() -> ProcessChannel.builder(java.util.Arrays.asList("cat", null))).hasMessageContaining("command element 1 is null");
        assertThatThrownBy(() -> ProcessChannel.builder((ProcessBuilder) null)).hasMessage("processBuilder");
        assertThatThrownBy(() -> ProcessChannel.builder(new ProcessBuilder("cat").redirectErrorStream(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redirectErrorStream(true)");
        assertThatThrownBy(() -> ProcessChannel.builder(new ProcessBuilder("cat").redirectOutput(ProcessBuilder.Redirect.INHERIT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output").hasMessageContaining("PIPE");
        ProcessChannelBuilder b = ProcessChannel.builder(List.of("cat"));
        assertThatThrownBy(() -> b.maxInFlight(0)).hasMessage("maxInFlight must be positive: 0");
        assertThatThrownBy(() -> b.maxRestarts(-1)).hasMessage("maxRestarts must not be negative: -1");
        assertThatThrownBy(() -> b.maxRestarts(1, java.time.Duration.ZERO)).hasMessage("window must be positive: PT0S");
        assertThatThrownBy(() -> b.stderrTailBytes(-5)).hasMessage("stderrTailBytes must not be negative: -5");
        assertThatThrownBy(() -> b.destroyGrace(java.time.Duration.ofSeconds(-1))).hasMessage("destroyGrace must be positive: PT-1S");
        assertThatThrownBy(() -> b.framing(null)).hasMessage("framing");
        assertThatThrownBy(() -> b.name(" ")).hasMessage("name must not be blank: ' '");
        assertThatThrownBy(() -> Framing.lengthPrefixed(-1)).hasMessage("maxFrameBytes must not be negative: -1");

        ProcessChannel channel = open(b.framing(Framing.lengthPrefixed(10)));
        assertThatThrownBy(() -> channel.request(null)).hasMessage("payload");
        assertThatThrownBy(() -> channel.request(new byte[11])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payload of 11 bytes exceeds the framing's maximum of 10 bytes");
        assertThat(channel.inFlight()).as("nothing taken by refused arguments").isZero();
    }

    /** The failure of a future that must fail (within the tests' bound), unwrapped. */
    static Throwable failureOf(CompletableFuture<?> f) {
        try {
            Object value = Await.result("a future that must fail", f);
            throw new AssertionError("expected a failure, got " + value);
        } catch (CancellationException e) {
            return e;
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            return e instanceof ExecutionException ? e.getCause() : e;
        }
    }
}
