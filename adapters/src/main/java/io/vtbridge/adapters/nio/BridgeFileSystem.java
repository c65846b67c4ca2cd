package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * The platform's default file system seen through a {@link BridgeFileSystemProvider}: its paths are
 * {@link BridgePath}s, whose {@code getFileSystem()} is this object and whose provider is the bridge
 * provider. Also the one place that converts between our paths and the platform's: {@link #wrap}
 * every path handed out, {@link #unwrap} every path handed in.
 *
 * <p><b>Threading:</b> immutable, thread-safe.
 */
final class BridgeFileSystem extends FileSystem {

    private final BridgeFileSystemProvider provider;
    private final FileSystem platform;

    BridgeFileSystem(BridgeFileSystemProvider provider, FileSystem platform) {
        this.provider = provider;
        this.platform = platform;
    }

    /** The platform file system behind this one. */
    FileSystem platform() {
        return platform;
    }

    /** {@code path} of the platform file system as one of ours; null stays null. */
    Path wrap(Path path) {
        return path == null ? null : new BridgePath(this, path);
    }

    /**
     * The platform path behind {@code path}. Accepts our paths and, so that paths the JDK made before
     * the default file system existed keep working, the platform's own.
     *
     * @throws ProviderMismatchException for a path of any other file system
     */
    Path unwrap(Path path) {
        Objects.requireNonNull(path, "path");
        Path inner = path instanceof BridgePath bridged ? bridged.platformPath() : path;
        if (inner.getFileSystem() != platform) {
            throw new ProviderMismatchException("not a path of the default file system: " + path
                    + " (" + path.getClass().getName() + ")");
        }
        return inner;
    }

    /**
     * The platform path behind {@code path} if it is ours, else {@code path} itself: for the methods
     * whose contract answers a foreign path (false, not equal) instead of throwing.
     */
    Path unwrapLenient(Path path) {
        return path instanceof BridgePath bridged ? bridged.platformPath() : path;
    }

    /** {@code paths} of the platform file system, wrapped one by one as they are iterated. */
    Iterator<Path> wrapAll(Iterator<Path> paths) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return paths.hasNext();
            }

            @Override
            public Path next() {
                return wrap(paths.next());
            }

            @Override
            public void remove() {
                paths.remove();
            }
        };
    }

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    /** The platform's answer: the default file system cannot be closed ({@code UnsupportedOperationException}). */
    @Override
    public void close() throws IOException {
        platform.close();
    }

    @Override
    public boolean isOpen() {
        return platform.isOpen();
    }

    @Override
    public boolean isReadOnly() {
        return platform.isReadOnly();
    }

    @Override
    public String getSeparator() {
        return platform.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        Iterable<Path> roots = platform.getRootDirectories();
        return () -> wrapAll(roots.iterator());
    }

    /** The platform's stores, as is: their space queries run on the calling thread. */
    @Override
    public Iterable<FileStore> getFileStores() {
        return platform.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return platform.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return wrap(platform.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher matcher = platform.getPathMatcher(syntaxAndPattern);
        return path -> matcher.matches(unwrapLenient(path));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return platform.getUserPrincipalLookupService();
    }

    /** A watch service whose keys and events name our paths; creating it goes through {@link BridgeFiles#io}. */
    @Override
    public WatchService newWatchService() throws IOException {
        return new BridgeWatchService(this, BridgeFiles.io(platform::newWatchService));
    }

    @Override
    public String toString() {
        return "BridgeFileSystem[" + platform + "]";
    }
}
