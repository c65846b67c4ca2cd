package io.vtbridge;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link BridgeFiles}: file I/O on the blocking pool while the bridged caller waits unmounted. */
@Timeout(60)
class BridgeFilesTest {

    @TempDir
    Path dir;

    @Test
    void wholeFilesRoundTripOnTheBlockingPoolAsFileEvents() throws Exception {
        byte[] blob = new byte[1 << 20];
        new Random(42).nextBytes(blob);
        Path bin = dir.resolve("blob.bin");
        Path text = dir.resolve("notes.txt");
        try (Bridge bridge = Bridge.builder().shards(1).name("files-whole").build()) {
            List<Object> seen = bridge.submit(() -> List.<Object>of(
                    BridgeFiles.write(bin, blob),                                                    // 1
                    BridgeFiles.readAllBytes(bin),                                                   // 2
                    BridgeFiles.writeString(text, "grüße\n"),                                        // 3
                    BridgeFiles.writeString(text, "é\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND), // 4
                    BridgeFiles.readString(text),                                                    // 5
                    BridgeFiles.readString(text, StandardCharsets.ISO_8859_1).length(),              // 6
                    BridgeFiles.readAllLines(text, StandardCharsets.UTF_8),                          // 7
                    BridgeFiles.io(() -> Thread.currentThread().getName())))                        // 8
                    .get(10, TimeUnit.SECONDS);
            assertThat(seen.get(0)).isEqualTo(bin);
            assertThat((byte[]) seen.get(1)).isEqualTo(blob);
            assertThat(seen.get(4)).isEqualTo("grüße\né\n");
            assertThat(seen.get(5)).as("8 chars; ü, ß, é are two bytes each in UTF-8").isEqualTo(8 + 3);
            assertThat(seen.get(6)).isEqualTo(List.of("grüße", "é"));
            assertThat((String) seen.get(7)).startsWith("files-whole-blocking-");
            assertThat(Files.readAllBytes(bin)).isEqualTo(blob);

            Shard shard = bridge.shard(0);
            assertThat(shard.events(EventPhase.REQUEST, EventKind.FILE)).isEqualTo(8);
            long suspends = shard.events(EventPhase.SUSPEND, EventKind.FILE);
            assertThat(suspends).as("a call unmounts unless the pool was done before the caller parked")
                    .isBetween(1L, 8L);
            assertThat(shard.events(EventPhase.RESUME, EventKind.FILE)).isEqualTo(suspends);
            // A worker counts a task completed after it completed the task's future, which may have
            // resumed the caller first: the figure follows shortly.
            Await.until("the blocking pool counts 8 completed tasks", () -> bridge.blockingPoolStats().completed() == 8);
        }
    }

    @Test
    void positionalChannelIoAtOffsetsLeavesTheChannelPositionAlone() throws Exception {
        Path file = dir.resolve("pages.dat");
        long page7 = 7 * 4096L;
        try (Bridge bridge = Bridge.builder().shards(1).build();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            String seen = bridge.submit(() -> {
                int headWritten = BridgeFiles.write(channel, ascii("HEAD"), 0);            // 1
                int pageWritten = BridgeFiles.write(channel, ascii("PAGE7"), page7);       // 2
                BridgeFiles.force(channel, true);                                          // 3
                ByteBuffer page = ByteBuffer.allocate(5);
                int pageRead = BridgeFiles.read(channel, page, page7);                     // 4
                ByteBuffer head = ByteBuffer.allocate(4);
                int headRead = BridgeFiles.read(channel, head, 0);                         // 5
                long size = BridgeFiles.size(channel);                                     // 6
                int atEnd = BridgeFiles.read(channel, ByteBuffer.allocate(1), size);       // 7
                return headWritten + "," + pageWritten + " " + pageRead + ":" + text(page) + " "
                        + headRead + ":" + text(head) + " size=" + size + " end=" + atEnd
                        + " position=" + channel.position();
            }).get(10, TimeUnit.SECONDS);
            assertThat(seen).isEqualTo("4,5 5:PAGE7 4:HEAD size=" + (page7 + 5) + " end=-1 position=0");
            assertThat(bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE)).isEqualTo(7);
        }
        byte[] onDisk = Files.readAllBytes(file);
        assertThat(onDisk).hasSize((int) page7 + 5);
        assertThat(new String(onDisk, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("HEAD");
        assertThat(new String(onDisk, (int) page7, 5, StandardCharsets.US_ASCII)).isEqualTo("PAGE7");
        assertThat(onDisk[4]).as("the gap reads as zeros").isZero();
    }

    @Test
    void theLoopServesAnotherTaskWhileAFileOperationIsInProgress() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).name("files-serve").build()) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> reader = bridge.submit(() -> BridgeFiles.io(() -> {
                inside.countDown();
                awaitIo(release); // stands for a read from a slow disk
                return Thread.currentThread().getName() + (Thread.currentThread().isVirtual() ? " virtual" : " platform");
            }));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            // One shard: the second task runs only because the reader is unmounted while the pool works.
            assertThat(bridge.submit(() -> "served").get(10, TimeUnit.SECONDS)).isEqualTo("served");
            assertThat(reader).isNotDone();
            release.countDown();
            assertThat(reader.get(10, TimeUnit.SECONDS)).startsWith("files-serve-blocking-").endsWith(" platform");
            Shard shard = bridge.shard(0);
            assertThat(shard.events(EventPhase.REQUEST, EventKind.FILE)).isEqualTo(1);
            assertThat(shard.events(EventPhase.SUSPEND, EventKind.FILE)).isEqualTo(1);
            assertThat(shard.events(EventPhase.RESUME, EventKind.FILE)).isEqualTo(1);
        }
    }

    @Test
    void aMissingFileIsTheSameNoSuchFileExceptionAtTheCaller() throws Exception {
        Path missing = dir.resolve("missing.txt");
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            CompletableFuture<Object> read = bridge.submit(() -> BridgeFiles.readAllBytes(missing));
            assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS)).cause()
                    .isExactlyInstanceOf(NoSuchFileException.class).hasMessage(missing.toString());
            CompletableFuture<Object> positional = bridge.submit(() -> BridgeFiles.io(() -> FileChannel.open(missing)));
            assertThatThrownBy(() -> positional.get(10, TimeUnit.SECONDS)).cause()
                    .isExactlyInstanceOf(NoSuchFileException.class);
            assertThat(bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE)).isEqualTo(2);
        }
    }

    /**
     * The child of the root case below: reads the file in bridged code and prints what it got. A
     * class of its own that uses bridge-core only: it runs from a copy of the class path that the
     * other user can read.
     */
    static final class DeniedRead {
        public static void main(String[] args) throws Exception {
            Path locked = Path.of(args[0]);
            try (Bridge bridge = Bridge.builder().shards(1).build()) {
                CompletableFuture<Object> read = bridge.submit(() -> BridgeFiles.readString(locked));
                try {
                    read.get(10, TimeUnit.SECONDS);
                    System.out.println("read it");
                } catch (java.util.concurrent.ExecutionException e) {
                    System.out.println("caught " + e.getCause().getClass().getName() + ": " + e.getCause().getMessage()
                            + "; REQUEST FILE " + bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE));
                }
            }
        }
    }

    /**
     * A file the caller may not read. As a normal user the file's mode 000 denies its owner, so the
     * check runs here. Root reads any file: then the same check runs in a child JVM as user nobody
     * (uid 65534), from a world-readable copy of the classes it needs in this test's temporary
     * directory (the checkout and the Maven repository may be in folders nobody cannot enter, such as
     * a 0700 clone or root's home).
     */
    @Test
    void aPermissionDeniedIsAnAccessDeniedExceptionAtTheCaller() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // others may look in
        Path locked = Files.writeString(dir.resolve("locked.txt"), "secret");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            if (!Files.isReadable(locked)) {
                try (Bridge bridge = Bridge.builder().shards(1).build()) {
                    CompletableFuture<Object> read = bridge.submit(() -> BridgeFiles.readString(locked));
                    assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS)).cause()
                            .isExactlyInstanceOf(AccessDeniedException.class).hasMessage(locked.toString());
                }
                return;
            }
            Path setpriv = Path.of("/usr/bin/setpriv");
            assumeTrue(Files.isExecutable(setpriv),
                    "running as root without /usr/bin/setpriv: cannot run the check as a user that is denied");
            Path javaHome = Path.of(System.getProperty("java.home"));
            String noEntry = firstNotSearchableByOthers(javaHome);
            assumeTrue(noEntry == null, "running as root, and user nobody cannot reach the JDK at " + javaHome
                    + ": " + noEntry + " is not searchable by others");
            noEntry = firstNotSearchableByOthers(dir);
            assumeTrue(noEntry == null, "running as root, and user nobody cannot reach the test's temporary directory "
                    + dir + " (under java.io.tmpdir): " + noEntry + " is not searchable by others");

            Path classes = Files.createDirectory(dir.resolve("classes"));
            String classPath = ChildJvm.readableClassPath(classes, Bridge.class, DeniedRead.class);
            ChildJvm.Result child = ChildJvm.of(DeniedRead.class)
                    .runUnder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups")
                    .flags(ChildJvm.OPENS).flags("-XX:-UsePerfData", "-Djava.io.tmpdir=" + dir)
                    .classPath(classPath).directory(classes).args(locked.toString())
                    .run();
            assertThat(child.exitCode()).as("child output: %s", child.output()).isZero();
            assertThat(child.output()).as("child output").contains("caught java.nio.file.AccessDeniedException: " + locked,
                    "REQUEST FILE 1");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rw-------"));
        }
    }

    /** The first of {@code path} and its parents that others may not enter (no x bit for others), or null. */
    private static String firstNotSearchableByOthers(Path path) throws IOException {
        for (Path p = path.toAbsolutePath(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return p.toString();
            }
        }
        return null;
    }

    @Test
    void uncheckedExceptionsAndErrorsArriveAsTheSameObjects() throws Exception {
        IllegalStateException unchecked = new IllegalStateException("corrupt page");
        AssertionError error = new AssertionError("checksum");
        IOException checked = new IOException("disk on fire");
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            List<Throwable> caught = bridge.submit(() -> List.of(
                    thrownBy(() -> BridgeFiles.io(() -> { throw unchecked; })),
                    thrownBy(() -> BridgeFiles.io(() -> { throw error; })),
                    thrownBy(() -> BridgeFiles.io(() -> { throw checked; }))))
                    .get(10, TimeUnit.SECONDS);
            assertThat(caught.get(0)).isSameAs(unchecked);
            assertThat(caught.get(1)).isSameAs(error);
            assertThat(caught.get(2)).isSameAs(checked);
        }
    }

    @Test
    void anInterruptWhileWaitingIsAnInterruptedIOExceptionAndTheStatusIsKept() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch never = new CountDownLatch(1);
            CompletableFuture<Throwable> opSaw = new CompletableFuture<>();
            CompletableFuture<String> callerSaw = new CompletableFuture<>();
            CompletableFuture<Object> task = bridge.submit(() -> {
                try {
                    return BridgeFiles.io(() -> {
                        inside.countDown();
                        try {
                            return awaitIo(never);
                        } catch (IOException e) {
                            opSaw.complete(e);
                            throw e;
                        }
                    });
                } catch (InterruptedIOException e) {
                    callerSaw.complete(e.getClass().getSimpleName() + " cause=" + e.getCause().getClass().getSimpleName()
                            + " interrupted=" + Thread.currentThread().isInterrupted());
                    throw e;
                }
            });
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            task.cancel(true);
            assertThat(callerSaw.get(10, TimeUnit.SECONDS))
                    .isEqualTo("InterruptedIOException cause=InterruptedException interrupted=true");
            assertThat(opSaw.get(10, TimeUnit.SECONDS)).as("the running operation was interrupted too")
                    .isInstanceOf(InterruptedIOException.class);
        }
    }

    @Test
    void outsideBridgedCodeTheOperationRunsInlineWithNoEvent() throws Exception {
        Path file = Files.writeString(dir.resolve("plain.txt"), "plain");
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            Thread me = Thread.currentThread();
            assertThat(BridgeFiles.io(Thread::currentThread)).isSameAs(me);
            assertThat(BridgeFiles.readString(file)).isEqualTo("plain");
            assertThatThrownBy(() -> BridgeFiles.readAllBytes(dir.resolve("nope"))).isExactlyInstanceOf(NoSuchFileException.class);
            // The JDK's own virtual threads are not bridged code either.
            CompletableFuture<Boolean> inline = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    inline.complete(BridgeFiles.io(Thread::currentThread) == Thread.currentThread());
                } catch (IOException e) {
                    inline.completeExceptionally(e);
                }
            });
            assertThat(inline.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE)).isZero();
            assertThat(bridge.blockingPoolStats().liveThreads()).as("no pool thread was started").isZero();
        }
    }

    @Test
    void nullArgumentsAreRefusedByName() {
        assertThatThrownBy(() -> BridgeFiles.io(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("op");
        assertThatThrownBy(() -> BridgeFiles.readAllBytes(null)).hasMessageContaining("path");
        assertThatThrownBy(() -> BridgeFiles.readString(dir, null)).hasMessageContaining("charset");
        assertThatThrownBy(() -> BridgeFiles.write(dir, null)).hasMessageContaining("bytes");
        assertThatThrownBy(() -> BridgeFiles.read(null, ByteBuffer.allocate(1), 0)).hasMessageContaining("channel");
        assertThatThrownBy(() -> BridgeFiles.size(null)).hasMessageContaining("channel");
    }

    /** Waits for {@code latch} inside an operation; an interrupt becomes the I/O flavour of it. */
    private static String awaitIo(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IOException("test latch not released in 30 s");
            }
            return "released";
        } catch (InterruptedException e) {
            InterruptedIOException io = new InterruptedIOException("interrupted in the operation");
            io.initCause(e);
            throw io;
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static Throwable thrownBy(Action action) {
        try {
            action.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuffer filled) {
        return new String(filled.array(), 0, filled.position(), StandardCharsets.US_ASCII);
    }
}
