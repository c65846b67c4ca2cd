package io.vtbridge.adapters.nio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The surefire JVM runs with {@code -Djava.nio.file.spi.DefaultFileSystemProvider=...BridgeFileSystemProvider}:
 * the default file system, and every path made from it, belong to the bridge provider, and paths
 * behave as the platform's do.
 */
class DefaultProviderPathTest {

    @TempDir
    Path dir;

    @Test
    void theBridgeProviderIsTheDefaultOne() {
        FileSystem fs = FileSystems.getDefault();
        assertThat(fs.provider()).isInstanceOf(BridgeFileSystemProvider.class);
        assertThat(fs.provider().getScheme()).isEqualTo("file");
        assertThat(FileSystemProvider.installedProviders().get(0)).isSameAs(fs.provider());
        assertThat(((BridgeFileSystemProvider) fs.provider()).platformProvider().getClass().getName()).startsWith("sun.nio.fs.");
        assertThat(Path.of("x").getFileSystem()).isSameAs(fs);
        assertThat(new File("x").toPath().getFileSystem()).as("File.toPath()").isSameAs(fs);
        assertThat(dir.getFileSystem()).as("JUnit's @TempDir").isSameAs(fs);
        assertThat(fs.provider().getFileSystem(URI.create("file:///"))).isSameAs(fs);
        assertThat(fs.getRootDirectories()).containsExactly(Path.of("/"));
        assertThat(fs.getRootDirectories().iterator().next().getFileSystem()).isSameAs(fs);
    }

    @Test
    void pathOperationsRoundTripAndStayInTheBridgeFileSystem() throws Exception {
        Path relative = Path.of("a", "b", "c.txt");
        assertThat(relative.toString()).isEqualTo("a/b/c.txt");
        assertThat(relative.getFileName().toString()).isEqualTo("c.txt");
        assertThat(relative.getParent()).isEqualTo(Path.of("a/b"));
        assertThat(relative.getNameCount()).isEqualTo(3);
        assertThat(relative.subpath(1, 3)).isEqualTo(Path.of("b/c.txt"));
        assertThat(relative.getRoot()).isNull();
        List<String> names = new ArrayList<>();
        for (Path name : relative) {
            assertThat(name.getFileSystem()).isSameAs(FileSystems.getDefault());
            names.add(name.toString());
        }
        assertThat(names).containsExactly("a", "b", "c.txt");
        assertThat(Path.of("a/./b/../c").normalize()).isEqualTo(Path.of("a/c"));
        assertThat(relative.resolveSibling("d.txt")).isEqualTo(Path.of("a/b/d.txt"));
        assertThat(relative.startsWith(Path.of("a"))).isTrue();
        assertThat(relative.startsWith("a/b")).isTrue();
        assertThat(relative.endsWith(Path.of("c.txt"))).isTrue();
        assertThat(relative.toAbsolutePath()).isEqualTo(Path.of(System.getProperty("user.dir")).resolve(relative));

        Path file = dir.resolve("x").resolve("y.txt");
        assertThat(file.getFileSystem()).isSameAs(FileSystems.getDefault());
        assertThat(dir.relativize(file)).isEqualTo(Path.of("x/y.txt"));
        assertThat(dir.resolve(dir.relativize(file))).isEqualTo(file);
        assertThat(file.getRoot()).isEqualTo(Path.of("/"));

        URI uri = file.toUri();
        assertThat(uri.getScheme()).isEqualTo("file");
        assertThat(Path.of(uri)).isEqualTo(file);
        assertThat(Path.of(uri).getFileSystem()).isSameAs(FileSystems.getDefault());

        File asFile = file.toFile();
        assertThat(asFile.getPath()).isEqualTo(file.toString());
        assertThat(asFile.toPath()).isEqualTo(file);

        Path same = Path.of(file.toString());
        assertThat(same).isEqualTo(file).hasSameHashCodeAs(file).isNotSameAs(file);
        assertThat(same.compareTo(file)).isZero();
        assertThat(new TreeSet<>(List.of(Path.of("b"), Path.of("a"), Path.of("c")))).containsExactly(
                Path.of("a"), Path.of("b"), Path.of("c"));

        Files.createDirectories(file.getParent());
        Files.writeString(file, "y");
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        assertThat(link.toRealPath()).isEqualTo(file.toRealPath());
        assertThat(Files.readSymbolicLink(link)).isEqualTo(file);
        assertThat(Files.isSameFile(link, file)).isTrue();

        PathMatcher txt = FileSystems.getDefault().getPathMatcher("glob:*.txt");
        assertThat(txt.matches(file.getFileName())).isTrue();
        assertThat(txt.matches(dir.getFileName())).isFalse();
    }
}
