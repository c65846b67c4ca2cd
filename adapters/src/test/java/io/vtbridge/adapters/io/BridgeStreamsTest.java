package io.vtbridge.adapters.io;

import io.vtbridge.Bridge;
import io.vtbridge.Shard;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link BridgeInputStream} and {@link BridgeOutputStream}: on the blocking pool in bridged code,
 * straight through elsewhere; one offload for a whole {@code readAllBytes}; exceptions unchanged;
 * interrupts; a slow stream that does not hold its shard.
 */
@Timeout(60)
class BridgeStreamsTest {

    @TestBridge(shards = 1)
    Bridge bridge;

    /** A stream that hands out at most {@code chunk} bytes per read and records the threads that read it. */
    static final class ChunkyStream extends InputStream {
        final List<Thread> readers = new ArrayList<>();
        private final ByteArrayInputStream data;
        private final int chunk;

        ChunkyStream(byte[] bytes, int chunk) {
            this.data = new ByteArrayInputStream(bytes);
            this.chunk = chunk;
        }

        @Override
        public int read() {
            readers.add(Thread.currentThread());
            return data.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            readers.add(Thread.currentThread());
            return data.read(b, off, Math.min(len, chunk));
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31);
        }
        return b;
    }

    private long blockingRequests() {
        return bridge.shard(0).events(EventPhase.REQUEST, EventKind.BLOCKING);
    }

    @Test
    void notBridgedEveryCallRunsOnTheCallingThread() throws IOException {
        ChunkyStream raw = new ChunkyStream(bytes(100), 10);
        try (InputStream in = new BridgeInputStream(raw)) {
            assertThat(in.read()).isZero();
            assertThat(in.readAllBytes()).hasSize(99);
        }
        assertThat(raw.readers).isNotEmpty().containsOnly(Thread.currentThread());
        assertThat(bridge.blockingPoolStats().completed()).isZero();
        assertThat(blockingRequests()).isZero();
    }

    @Test
    void bridgedAReadRunsOnTheBlockingPoolAsABlockingRequest() throws Exception {
        ChunkyStream raw = new ChunkyStream(bytes(100), 10);
        byte[] got = Await.result(bridge.submit(() -> {
            byte[] b = new byte[10];
            int n = new BridgeInputStream(raw).read(b, 0, b.length);
            return Arrays.copyOf(b, n);
        }));
        assertThat(got).isEqualTo(Arrays.copyOf(bytes(100), 10));
        assertThat(raw.readers).singleElement().satisfies(t -> {
            assertThat(t.isVirtual()).isFalse();
            assertThat(t.getName()).contains("-blocking-");
        });
        assertThat(blockingRequests()).isEqualTo(1);
    }

    @Test
    void bridgedReadAllBytesReadNBytesAndTransferToAreOneOffloadEach() throws Exception {
        byte[] data = bytes(10_000);
        ChunkyStream raw = new ChunkyStream(data, 7); // 1,429 reads of the wrapped stream for the whole
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        List<Object> got = Await.result(bridge.submit(() -> {
            InputStream in = new BridgeInputStream(raw);
            byte[] first = in.readNBytes(1_000);
            byte[] second = new byte[1_000];
            int n = in.readNBytes(second, 0, second.length);
            long moved = in.transferTo(sink);
            return List.<Object>of(first, n, moved);
        }));
        assertThat((byte[]) got.get(0)).isEqualTo(Arrays.copyOfRange(data, 0, 1_000));
        assertThat(got.get(1)).isEqualTo(1_000);
        assertThat(got.get(2)).isEqualTo(8_000L);
        assertThat(sink.toByteArray()).isEqualTo(Arrays.copyOfRange(data, 2_000, 10_000));
        assertThat(raw.readers.size()).as("reads of the wrapped stream").isGreaterThan(1_000);
        // A pool worker counts a task as completed just after completing the future the caller resumed on.
        Await.until("three pool tasks counted", () -> bridge.blockingPoolStats().completed() >= 3);
        assertThat(bridge.blockingPoolStats().completed()).as("one pool task per call, not per buffer").isEqualTo(3);
        assertThat(blockingRequests()).isEqualTo(3);

        ChunkyStream again = new ChunkyStream(data, 7);
        long before = bridge.blockingPoolStats().completed();
        byte[] all = Await.result(bridge.submit(() -> new BridgeInputStream(again).readAllBytes()));
        assertThat(all).isEqualTo(data);
        Await.until("the readAllBytes task counted", () -> bridge.blockingPoolStats().completed() >= before + 1);
        assertThat(bridge.blockingPoolStats().completed() - before).as("readAllBytes: one pool task").isEqualTo(1);
    }

    @Test
    void theWrappedStreamsIOExceptionArrivesUnchanged() throws Exception {
        IOException broken = new IOException("device gone");
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw broken;
            }
        };
        OutputStream failingOut = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw broken;
            }
        };
        assertThatThrownBy(() -> new BridgeInputStream(failing).read()).isSameAs(broken);
        assertThatThrownBy(() -> new BridgeOutputStream(failingOut).write(1)).isSameAs(broken);
        Throwable bridgedIn = Await.result(bridge.submit(() -> caught(() -> new BridgeInputStream(failing).read())));
        Throwable bridgedOut = Await.result(bridge.submit(() -> caught(() -> {
            new BridgeOutputStream(failingOut).write(new byte[] {1, 2}, 0, 2);
            return 0;
        })));
        assertThat(bridgedIn).isSameAs(broken);
        assertThat(bridgedOut).isSameAs(broken);
    }

    private interface IoAction {
        Object run() throws IOException;
    }

    private static Throwable caught(IoAction action) {
        try {
            action.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    @Test
    void bridgedWritesAndFlushRunOnThePoolAndCloseClosesTheWrappedStream() throws Exception {
        List<String> calls = new ArrayList<>();
        OutputStream raw = new OutputStream() {
            @Override
            public void write(int b) {
                calls.add("write " + b + " on " + Thread.currentThread().getName());
            }

            @Override
            public void flush() {
                calls.add("flush on " + Thread.currentThread().getName());
            }

            @Override
            public void close() {
                calls.add("close on " + Thread.currentThread().getName());
            }
        };
        Await.result(bridge.submit(() -> {
            try (OutputStream out = new BridgeOutputStream(raw)) {
                out.write(7);
                out.flush();
            }
            return null;
        }));
        assertThat(calls).hasSize(3).allMatch(c -> c.contains("-blocking-"));
        assertThat(calls.get(0)).startsWith("write 7");
        assertThat(calls.get(1)).startsWith("flush");
        assertThat(calls.get(2)).startsWith("close");
        assertThat(blockingRequests()).isEqualTo(3);
    }

    /** A read that ignores interrupts (as a pipe or socket read does) until released. */
    static final class StubbornStream extends InputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile int reads;

        @Override
        public int read() {
            reads++;
            entered.countDown();
            while (true) {
                try {
                    release.await();
                    return 'x';
                } catch (InterruptedException ignored) {
                    // a kernel read does not notice either
                }
            }
        }
    }

    @Test
    void anInterruptedBridgedReadThrowsInterruptedIOExceptionAndKeepsTheStreamUntilTheAbandonedReadEnds() throws Exception {
        StubbornStream raw = new StubbornStream();
        InputStream in = new BridgeInputStream(raw);
        CompletableFuture<Thread> reader = new CompletableFuture<>();
        CompletableFuture<Void> refused = new CompletableFuture<>();
        CompletableFuture<Void> readAgain = new CompletableFuture<>();
        CompletableFuture<List<Object>> outcome = bridge.submit(() -> {
            reader.complete(Thread.currentThread());
            List<Object> seen = new ArrayList<>();
            seen.add(caught(in::read));
            seen.add(Thread.interrupted()); // its status was set again (cleared here for what follows)
            seen.add(caught(in::read));     // the abandoned read still runs: refused
            refused.complete(null);
            Bridge.await(readAgain);
            seen.add(in.read());            // it ended: the stream is usable again
            return seen;
        });
        Await.latch("the wrapped read running on the pool", raw.entered);
        Await.result(reader).interrupt();
        Await.result("the second read, refused", refused);
        raw.release.countDown();
        Await.until("the abandoned read ended", () -> bridge.blockingPoolStats().running() == 0);
        readAgain.complete(null);

        List<Object> seen = Await.result(outcome);
        assertThat((Throwable) seen.get(0)).isInstanceOf(InterruptedIOException.class)
                .hasMessageContaining("it had started").hasCauseInstanceOf(InterruptedException.class);
        assertThat(seen.get(1)).as("interrupt status set again").isEqualTo(true);
        assertThat((Throwable) seen.get(2)).isExactlyInstanceOf(IOException.class).hasMessageContaining("still running");
        assertThat(seen.get(3)).isEqualTo((int) 'x');
        assertThat(raw.reads).isEqualTo(2);
    }

    @Test
    void aQueuedCallWhoseCallerIsInterruptedNeverRunsAndLeavesTheStreamFree() throws Exception {
        try (Bridge oneWorker = Bridge.builder().shards(1).blockingThreads(1).name("one-worker").build()) {
            CountDownLatch occupied = new CountDownLatch(1);
            CountDownLatch free = new CountDownLatch(1);
            CompletableFuture<Object> hog = oneWorker.submit(() -> Bridge.blocking(() -> {
                occupied.countDown();
                free.await();
                return null;
            }));
            Await.latch("the only worker busy", occupied);
            ChunkyStream raw = new ChunkyStream(bytes(10), 10);
            InputStream in = new BridgeInputStream(raw);
            CompletableFuture<Thread> reader = new CompletableFuture<>();
            CompletableFuture<Throwable> interrupted = oneWorker.submit(() -> {
                reader.complete(Thread.currentThread());
                return caught(in::read);
            });
            Await.until("the read queued behind the busy worker", () -> oneWorker.blockingPoolStats().queuedHigh() == 1);
            Await.result(reader).interrupt();
            assertThat(Await.result(interrupted)).isInstanceOf(InterruptedIOException.class).hasMessageContaining("never ran");
            free.countDown();
            Await.result(hog);
            assertThat(Await.result(oneWorker.submit(() -> in.read()))).as("not refused: nothing was left running").isZero();
            assertThat(raw.readers).hasSize(1);
        }
    }

    @Test
    void aSlowWrappedStreamDoesNotStopItsShardFromRunningOtherTasks() throws Exception {
        Process cat = new ProcessBuilder("cat").start(); // its output pipe: a read that blocks in the kernel
        try {
            Shard shard = bridge.shard(0);
            CompletableFuture<byte[]> reader = bridge.submit(() -> new BridgeInputStream(cat.getInputStream()).readNBytes(5));
            Await.until("the read waiting on the pool", () -> bridge.blockingPoolStats().running() == 1);
            assertThat(Await.result("another task on the same shard", bridge.submit(() -> Bridge.current().orElseThrow())))
                    .isSameAs(shard);
            assertThat(reader).isNotDone();
            cat.getOutputStream().write("hello".getBytes());
            cat.getOutputStream().flush();
            assertThat(Await.result(reader)).isEqualTo("hello".getBytes());
        } finally {
            cat.destroyForcibly();
        }
    }

    @Test
    void argumentsAreCheckedAsTheStreamContractsSayBeforeAnythingIsOffloaded() {
        ChunkyStream raw = new ChunkyStream(bytes(10), 10);
        InputStream in = new BridgeInputStream(raw);
        OutputStream out = new BridgeOutputStream(new ByteArrayOutputStream());
        assertThatThrownBy(() -> new BridgeInputStream(null)).hasMessage("in");
        assertThatThrownBy(() -> new BridgeOutputStream(null)).hasMessage("out");
        assertThatThrownBy(() -> in.read(null, 0, 1)).isInstanceOf(NullPointerException.class).hasMessage("b");
        assertThatThrownBy(() -> in.read(new byte[4], 3, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> in.read(new byte[4], -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> in.readNBytes(-1)).isInstanceOf(IllegalArgumentException.class).hasMessage("len must not be negative: -1");
        assertThatThrownBy(() -> in.readNBytes(new byte[2], 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> in.transferTo(null)).hasMessage("out");
        assertThatThrownBy(() -> out.write(null, 0, 1)).hasMessage("b");
        assertThatThrownBy(() -> out.write(new byte[1], 1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(raw.readers).as("the wrapped stream untouched").isEmpty();
    }
}
