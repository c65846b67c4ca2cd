package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Iterator;

/**
 * A path of the {@link BridgeFileSystem}: a platform path whose file system and provider are the
 * bridge's, so that {@code Files.*} on it reaches {@link BridgeFileSystemProvider}. Every path it
 * returns is wrapped again; every path it takes is unwrapped before the platform sees it. Equality,
 * hash code, order and string form are the platform path's, so two of our paths compare as their
 * platform paths do (and never equal a platform path: {@code equals} stays symmetric).
 *
 * <p>Pure path operations run on the calling thread. {@link #toRealPath} (it reads links) and
 * {@link #register} go through {@link BridgeFiles#io}; {@link #toUri} keeps the platform's
 * {@code stat} of a directory on the calling thread.
 *
 * <p><b>Threading:</b> immutable, thread-safe.
 */
final class BridgePath implements Path {

    private final BridgeFileSystem fileSystem;
    private final Path platform;

    BridgePath(BridgeFileSystem fileSystem, Path platform) {
        this.fileSystem = fileSystem;
        this.platform = platform;
    }

    /** The platform path this one stands for. */
    Path platformPath() {
        return platform;
    }

    @Override
    public FileSystem getFileSystem() {
        return fileSystem;
    }

    @Override
    public boolean isAbsolute() {
        return platform.isAbsolute();
    }

    @Override
    public Path getRoot() {
        return fileSystem.wrap(platform.getRoot());
    }

    @Override
    public Path getFileName() {
        return fileSystem.wrap(platform.getFileName());
    }

    @Override
    public Path getParent() {
        return fileSystem.wrap(platform.getParent());
    }

    @Override
    public int getNameCount() {
        return platform.getNameCount();
    }

    @Override
    public Path getName(int index) {
        return fileSystem.wrap(platform.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return fileSystem.wrap(platform.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        return platform.startsWith(fileSystem.unwrapLenient(other));
    }

    @Override
    public boolean startsWith(String other) {
        return platform.startsWith(other);
    }

    @Override
    public boolean endsWith(Path other) {
        return platform.endsWith(fileSystem.unwrapLenient(other));
    }

    @Override
    public boolean endsWith(String other) {
        return platform.endsWith(other);
    }

    @Override
    public Path normalize() {
        return fileSystem.wrap(platform.normalize());
    }

    @Override
    public Path resolve(Path other) {
        return fileSystem.wrap(platform.resolve(fileSystem.unwrapLenient(other)));
    }

    @Override
    public Path resolve(String other) {
        return fileSystem.wrap(platform.resolve(other));
    }

    @Override
    public Path resolveSibling(Path other) {
        return fileSystem.wrap(platform.resolveSibling(fileSystem.unwrapLenient(other)));
    }

    @Override
    public Path resolveSibling(String other) {
        return fileSystem.wrap(platform.resolveSibling(other));
    }

    @Override
    public Path relativize(Path other) {
        return fileSystem.wrap(platform.relativize(fileSystem.unwrapLenient(other)));
    }

    @Override
    public URI toUri() {
        return platform.toUri();
    }

    @Override
    public Path toAbsolutePath() {
        return fileSystem.wrap(platform.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
        return fileSystem.wrap(BridgeFiles.io(() -> platform.toRealPath(options)));
    }

    /** A {@link File} for this path: our file system is the local one, whether or not it is the default. */
    @Override
    public File toFile() {
        return new File(platform.toString());
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers)
            throws IOException {
        if (!(watcher instanceof BridgeWatchService bridged)) {
            throw new ProviderMismatchException("not a watch service of the default file system: " + watcher);
        }
        return bridged.register(this, events, modifiers);
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>... events) throws IOException {
        return register(watcher, events, new WatchEvent.Modifier[0]);
    }

    @Override
    public Iterator<Path> iterator() {
        return fileSystem.wrapAll(platform.iterator());
    }

    /** As the platform paths compare; a path of another provider is a {@link ClassCastException}. */
    @Override
    public int compareTo(Path other) {
        return platform.compareTo(fileSystem.unwrapLenient(other));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BridgePath that && platform.equals(that.platform);
    }

    @Override
    public int hashCode() {
        return platform.hashCode();
    }

    @Override
    public String toString() {
        return platform.toString();
    }
}
