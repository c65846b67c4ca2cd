package io.vtbridge.adapters.nio;

import io.vtbridge.testing.TestBridge;
import io.vtbridge.Bridge;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The channel, directory-stream, attribute-view and watch-service wrappers of the provider, in bridged code. */
@Timeout(60)
class ProviderWrappersTest {

    @TempDir
    Path dir;

    @TestBridge(shards = 1, name = "wrappers")
    private Bridge bridge;

    @Test
    void channelsStayWrappedAndTransferInOneCall() throws Exception {
        Path source = dir.resolve("source.dat");
        Path target = dir.resolve("target.dat");
        List<String> seen = bridged(() -> {
            List<String> out = new ArrayList<>();
            try (FileChannel src = FileChannel.open(source, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
                 SeekableByteChannel dst = Files.newByteChannel(target, StandardOpenOption.CREATE_NEW,
                         StandardOpenOption.WRITE)) {
                out.add(src.getClass().getSimpleName() + " " + dst.getClass().getSimpleName());
                src.write(ByteBuffer.wrap("0123456789".getBytes(StandardCharsets.US_ASCII)));
                out.add("same channel " + (src.position(2) == src) + " " + (src.truncate(8) == src));
                out.add("transferred " + src.transferTo(2, 100, (FileChannel) dst));
                try (FileLock lock = src.lock()) {
                    out.add("lock names it " + (lock.channel() == src) + " valid " + lock.isValid());
                }
                try (FileLock lock = src.tryLock(0, 1, false)) {
                    out.add("tryLock " + (lock != null && lock.channel() == src));
                }
                out.add("mapped " + src.map(FileChannel.MapMode.READ_ONLY, 0, 3).get(2));
            }
            return out;
        });
        assertThat(seen).containsExactly(
                "BridgeFileChannel BridgeFileChannel",
                "same channel true true",
                "transferred 6",
                "lock names it true valid true",
                "tryLock true",
                "mapped " + (int) '2');
        assertThat(Files.readString(target)).isEqualTo("234567");
        // open x2, write, position, truncate, transferTo, close x2: map and lock are delegated.
        assertThat(bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE)).isEqualTo(8);
    }

    @Test
    void commonCallsCostTheDocumentedNumberOfPoolCalls() throws Exception {
        Path file = Files.write(dir.resolve("small.bin"), new byte[128]);
        assertThat(requestsOf(() -> Files.size(file))).as("Files.size: a stat").isEqualTo(1);
        assertThat(requestsOf(() -> Files.readAllBytes(file))).as("Files.readAllBytes: open, size, read, read, close")
                .isEqualTo(5);
        assertThat(requestsOf(() -> {
            try (var in = Files.newInputStream(file)) {
                return in.readAllBytes();
            }
        })).as("stream readAllBytes: open, one read, close").isEqualTo(3);
    }

    @Test
    void aLargeDirectoryIsReadInBatchesAndFilteredOnTheCaller() throws Exception {
        Path big = Files.createDirectories(dir.resolve("big"));
        for (int i = 0; i < 600; i++) {
            Files.createFile(big.resolve("f" + i + ".txt"));
        }
        Files.createFile(big.resolve("other.bin"));
        long count = bridged(() -> {
            try (Stream<Path> entries = Files.list(big)) {
                return entries.filter(p -> p.getFileSystem() == FileSystems.getDefault()).count();
            }
        });
        assertThat(count).isEqualTo(601);
        // open, three batches (256 + 256 + 89, the last one short: the end), close
        assertThat(bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE)).isEqualTo(5);

        List<Boolean> filterOnVirtual = new CopyOnWriteArrayList<>();
        long globbed = bridged(() -> {
            long n = 0;
            try (DirectoryStream<Path> txt = Files.newDirectoryStream(big, "f1*.txt")) {
                for (Path ignored : txt) {
                    n++;
                }
            }
            try (DirectoryStream<Path> some = Files.newDirectoryStream(big, p -> {
                filterOnVirtual.add(Thread.currentThread().isVirtual());
                return p.getFileName().toString().endsWith(".bin");
            })) {
                for (Path p : some) {
                    n += 1000 * (p.getFileSystem() == FileSystems.getDefault() ? 1 : 0);
                }
            }
            return n;
        });
        assertThat(globbed).as("f1, f10-f19, f100-f199, and other.bin").isEqualTo(1 + 10 + 100 + 1000);
        assertThat(filterOnVirtual).hasSize(601).containsOnly(true);
    }

    @Test
    void attributeViewsDoTheirIoOnThePool() throws Exception {
        Path file = Files.writeString(dir.resolve("attrs.txt"), "attrs");
        FileTime noon = FileTime.from(Instant.parse("2024-05-01T12:00:00Z"));
        List<Object> seen = bridged(() -> {
            List<Object> out = new ArrayList<>();
            Files.setLastModifiedTime(file, noon);
            out.add(Files.getLastModifiedTime(file));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
            out.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            out.add(posix instanceof BasicFileAttributeView);
            out.add(posix.name()); // no I/O: not offloaded
            out.add(posix.readAttributes().size());
            out.add(Files.getAttribute(file, "posix:permissions").toString().length() > 0);
            return out;
        });
        assertThat(seen).containsExactly(noon, "rw-r-----", true, "posix", 5L, true);
        // setTimes (view), readAttributes, setPermissions (view), readAttributes, readAttributes (view), getAttribute
        assertThat(bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE)).isEqualTo(6);
    }

    @Test
    void watchKeysAndEventsNameBridgePaths() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("watched"));
        List<Object> seen = bridged(() -> {
            List<Object> out = new ArrayList<>();
            try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
                WatchKey key = watched.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
                Files.writeString(watched.resolve("new.txt"), "new");
                WatchKey signalled = watcher.poll(10, TimeUnit.SECONDS); // parks: the loop serves others meanwhile
                out.add(signalled == key);
                out.add(signalled.watchable());
                for (WatchEvent<?> event : signalled.pollEvents()) {
                    Path child = watched.resolve((Path) event.context());
                    out.add(event.kind().name() + " " + child.getFileName() + " default=" + (child.getFileSystem() == FileSystems.getDefault()));
                }
                out.add(signalled.reset());
            }
            return out;
        });
        assertThat(seen).containsExactly(true, watched, "ENTRY_CREATE new.txt default=true", true);
    }

    @Test
    void aZipFileSystemOverABridgePathReadsAndWritesThroughTheBridge() throws Exception {
        Path zip = dir.resolve("archive.zip");
        String read = bridged(() -> {
            try (FileSystem archive = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
                Files.writeString(archive.getPath("/hello.txt"), "hello from a zip");
            }
            try (FileSystem archive = FileSystems.newFileSystem(zip)) {
                return Files.readString(archive.getPath("/hello.txt"));
            }
        });
        assertThat(read).isEqualTo("hello from a zip");
        assertThat(bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE))
                .as("the zip provider's own I/O on the archive goes through ours").isPositive();
    }

    private long requestsOf(Callable<?> task) throws Exception {
        long before = bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE);
        bridged(task);
        return bridge.shard(0).events(EventPhase.REQUEST, EventKind.FILE) - before;
    }

    private <T> T bridged(Callable<T> task) throws Exception {
        return bridge.submit(task).get(30, TimeUnit.SECONDS);
    }
}
