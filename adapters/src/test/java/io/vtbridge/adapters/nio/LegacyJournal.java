package io.vtbridge.adapters.nio;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Stands for a legacy library: plain {@code java.nio.file}, no vtbridge import, no idea it may run
 * on a shard. The tests run it unchanged in bridged code and on a platform thread.
 */
final class LegacyJournal {

    private final Path root;

    LegacyJournal(Path root) {
        this.root = root;
    }

    /** Writes, appends, reads back, copies, lists, walks and deletes; returns what it saw. */
    List<String> run() throws IOException {
        List<String> seen = new ArrayList<>();
        Path data = Files.createDirectories(root.resolve("data").resolve("2024"));
        Path log = data.resolve("journal.log");

        Files.write(log, List.of("open", "put a=1"), StandardCharsets.UTF_8);
        Files.writeString(log, "put b=2\n", StandardOpenOption.APPEND);
        try (BufferedWriter out = Files.newBufferedWriter(log, StandardOpenOption.APPEND)) {
            out.write("close");
            out.newLine();
        }
        seen.add("lines " + Files.readAllLines(log));
        try (Stream<String> lines = Files.lines(log)) {
            seen.add("puts " + lines.filter(l -> l.startsWith("put")).count());
        }

        byte[] blob = new byte[100_000];
        for (int i = 0; i < blob.length; i++) {
            blob[i] = (byte) (i * 31);
        }
        Path blobFile = data.resolve("blob.bin");
        try (OutputStream out = Files.newOutputStream(blobFile)) {
            out.write(blob, 0, 50_000);
            out.write(blob, 50_000, 50_000);
        }
        try (InputStream in = Files.newInputStream(blobFile)) {
            in.skip(10);
            int first = in.read();
            byte[] rest = in.readAllBytes();
            seen.add("blob first=" + first + " rest=" + rest.length + " same=" + (rest[0] == blob[11]));
        }

        Path index = data.resolve("index.dat");
        try (FileChannel channel = FileChannel.open(index, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.write(ascii("HEAD"), 0);
            channel.write(ascii("TAIL"), 4096);
            ByteBuffer tail = ByteBuffer.allocate(4);
            channel.read(tail, 4096);
            channel.force(true);
            channel.position(2);
            ByteBuffer rest = ByteBuffer.allocate(2);
            channel.read(rest);
            seen.add("index size=" + channel.size() + " tail=" + new String(tail.array(), StandardCharsets.US_ASCII)
                    + " after-seek=" + new String(rest.array(), StandardCharsets.US_ASCII)
                    + " position=" + channel.position());
        }

        Files.copy(log, data.resolve("journal.bak"));
        try (Stream<Path> files = Files.list(data)) {
            seen.add("files " + files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> all = Files.walk(root)) {
            seen.add("walk " + all.map(p -> root.relativize(p).toString()).sorted().toList());
        }
        seen.add("size " + Files.size(log) + " dir=" + Files.isDirectory(data) + " regular=" + Files.isRegularFile(log));
        Files.delete(data.resolve("journal.bak"));
        seen.add("bak exists=" + Files.exists(data.resolve("journal.bak")));
        return seen;
    }

    /** Reads the first line a producer writes into {@code feed} (a named pipe): waits until it does. */
    String readFeed(Path feed) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(feed)) {
            return in.readLine();
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
