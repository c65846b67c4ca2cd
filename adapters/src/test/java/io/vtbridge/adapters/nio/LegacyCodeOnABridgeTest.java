package io.vtbridge.adapters.nio;

import io.vtbridge.Bridge;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.Shard;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.Fifo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LegacyJournal}, plain {@code java.nio.file} code, run unchanged on a 1-shard bridge: its
 * file I/O goes to the blocking pool (FILE events), its shard keeps serving other tasks while it
 * waits, and the same code on a platform thread does the same work with no event at all.
 */
@Timeout(60)
class LegacyCodeOnABridgeTest {

    /** What {@link LegacyJournal#run()} sees, wherever it runs. */
    static final List<String> TRANSCRIPT = List.of(
            "lines [open, put a=1, put b=2, close]",
            "puts 2",
            "blob first=54 rest=99989 same=true",
            "index size=4100 tail=TAIL after-seek=AD position=4",
            "files [blob.bin, index.dat, journal.bak, journal.log]",
            "walk [, data, data/2024, data/2024/blob.bin, data/2024/index.dat, data/2024/journal.bak, data/2024/journal.log]",
            "size 27 dir=true regular=true",
            "bak exists=false");

    @TempDir
    Path dir;

    @Test
    void legacyCodeRunsUnchangedOnAShardAndItsFileIoBecomesFileEvents() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).name("legacy").build()) {
            List<String> seen = bridge.submit(() -> new LegacyJournal(dir.resolve("bridged")).run())
                    .get(30, TimeUnit.SECONDS);
            assertThat(seen).isEqualTo(TRANSCRIPT);

            Shard shard = bridge.shard(0);
            long requests = shard.events(EventPhase.REQUEST, EventKind.FILE);
            long suspends = shard.events(EventPhase.SUSPEND, EventKind.FILE);
            // Every open, read, write, stat, list batch and close of the journal is one request.
            assertThat(requests).isGreaterThan(50);
            assertThat(suspends).isPositive().isLessThanOrEqualTo(requests);
            assertThat(shard.events(EventPhase.RESUME, EventKind.FILE)).isEqualTo(suspends);
            assertThat(bridge.blockingPoolStats().completed()).as("each request ran on the blocking pool")
                    .isEqualTo(requests);
        }
    }

    @Test
    void theShardServesOtherTasksWhileLegacyCodeWaitsInAFileRead() throws Exception {
        Path feed = Fifo.create(dir.resolve("feed"));
        try (Bridge bridge = Bridge.builder().shards(1).name("legacy-feed").build()) {
            CompletableFuture<Thread> legacyThread = new CompletableFuture<>();
            CompletableFuture<String> legacy = bridge.submit(() -> {
                legacyThread.complete(Thread.currentThread());
                LegacyJournal journal = new LegacyJournal(dir.resolve("journal"));
                List<String> seen = journal.run();
                return journal.readFeed(feed) + " after " + seen.size() + " steps"; // opening the pipe waits for a writer
            });
            Thread reader = legacyThread.get(10, TimeUnit.SECONDS);
            Await.state(reader, Thread.State.WAITING, "readFeed"); // the legacy thread waits, unmounted, inside readFeed

            // One shard. Without the provider the legacy thread would hold the loop thread inside
            // open(2) of the pipe (a carrier-blocking call), and none of these could run.
            List<CompletableFuture<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                others.add(bridge.submit(() -> n));
            }
            for (int i = 0; i < others.size(); i++) {
                assertThat(others.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
            }
            assertThat(legacy).as("still waiting for the pipe").isNotDone();
            long suspendsWhileWaiting = bridge.shard(0).events(EventPhase.SUSPEND, EventKind.FILE);

            Fifo.write(feed, "tick\n".getBytes(StandardCharsets.UTF_8)); // from a platform thread: pass-through
            assertThat(legacy.get(10, TimeUnit.SECONDS)).isEqualTo("tick after 8 steps");
            assertThat(suspendsWhileWaiting).isPositive();
        }
    }

    @Test
    void theSameLegacyCodeOnAPlatformThreadDoesTheSameWithNoEvent() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).name("legacy-platform").build()) {
            List<String> seen = new LegacyJournal(dir.resolve("platform")).run(); // the JUnit thread
            assertThat(Thread.currentThread().isVirtual()).isFalse();
            assertThat(seen).isEqualTo(TRANSCRIPT);
            assertThat(bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE)).isZero();
            assertThat(bridge.blockingPoolStats().liveThreads()).as("no pool thread was needed").isZero();

            // The JDK's own virtual threads are not bridged code either: the I/O runs on them, as without the provider.
            CompletableFuture<List<String>> virtual = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    virtual.complete(new LegacyJournal(dir.resolve("virtual")).run());
                } catch (Throwable t) {
                    virtual.completeExceptionally(t);
                }
            });
            assertThat(virtual.get(30, TimeUnit.SECONDS)).isEqualTo(TRANSCRIPT);
            assertThat(bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE)).isZero();
        }
    }

    @Test
    void legacyCodeSeesThePlatformsExceptionsUnwrapped() throws Exception {
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("child"), "x");
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            CompletableFuture<Object> missing = bridge.submit(() -> Files.readAllBytes(dir.resolve("missing")));
            assertThatThrownBy(() -> missing.get(10, TimeUnit.SECONDS)).cause()
                    .isExactlyInstanceOf(NoSuchFileException.class).hasMessage(dir.resolve("missing").toString());
            CompletableFuture<Object> exists = bridge.submit(() -> Files.createDirectory(full));
            assertThatThrownBy(() -> exists.get(10, TimeUnit.SECONDS)).cause()
                    .isExactlyInstanceOf(FileAlreadyExistsException.class);
            CompletableFuture<Object> notEmpty = bridge.submit(() -> {
                Files.delete(full);
                return null;
            });
            assertThatThrownBy(() -> notEmpty.get(10, TimeUnit.SECONDS)).cause()
                    .isExactlyInstanceOf(DirectoryNotEmptyException.class);
            assertThat(bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE)).isEqualTo(3);
        }
    }

    @Test
    void legacyCodeInterruptedInAFileReadGetsAnInterruptedIOException() throws Exception {
        Path feed = Fifo.create(dir.resolve("stuck"));
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            CompletableFuture<Thread> legacyThread = new CompletableFuture<>();
            CompletableFuture<String> caught = new CompletableFuture<>();
            CompletableFuture<String> legacy = bridge.submit(() -> {
                legacyThread.complete(Thread.currentThread());
                try {
                    return new LegacyJournal(dir).readFeed(feed);
                } catch (IOException e) {
                    caught.complete(e.getClass().getSimpleName() + " interrupted=" + Thread.currentThread().isInterrupted());
                    throw e;
                }
            });
            Thread reader = legacyThread.get(10, TimeUnit.SECONDS);
            Await.state(reader, Thread.State.WAITING, "readFeed"); // the legacy thread waits inside readFeed
            legacy.cancel(true);
            assertThat(caught.get(10, TimeUnit.SECONDS)).isEqualTo(InterruptedIOException.class.getSimpleName() + " interrupted=true");
            // The pool thread is still inside open(2), which an interrupt does not end: give it its writer.
            Fifo.release(feed);
        }
    }
}
