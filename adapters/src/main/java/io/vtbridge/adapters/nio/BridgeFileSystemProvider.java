package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The platform's {@code file} provider, with every call that touches the file system run through
 * {@link BridgeFiles#io}: in bridged code on the bridge's blocking pool while the virtual thread
 * waits unmounted (REQUEST, SUSPEND, RESUME of kind FILE), anywhere else on the calling thread, as
 * the platform provider would. Legacy code written against {@code java.nio.file} then stops holding
 * its shard during file I/O without a line changed.
 *
 * <h2>Installing it</h2>
 * As the default provider, with the adapters jar on the class path:
 * <pre>
 * java -Djava.nio.file.spi.DefaultFileSystemProvider=io.vtbridge.adapters.nio.BridgeFileSystemProvider ...
 * </pre>
 * The JDK then calls {@link #BridgeFileSystemProvider(FileSystemProvider)} with the platform provider,
 * and {@code FileSystems.getDefault()}, {@code Path.of}, {@code File.toPath()} all return this
 * provider's file system and paths. A provider can also be made by hand
 * ({@code new BridgeFileSystemProvider(platformProvider).getFileSystem(URI.create("file:///"))}) to
 * bridge only the paths made from that file system.
 *
 * <h2>What goes through {@code BridgeFiles.io}</h2>
 * Opening files, channels, streams and directory streams; every read, write, position, size,
 * truncate, force and transfer of the channels and streams it returns; closing them; directory
 * reads (in batches of 256 entries); create, delete, copy, move,
 * links; attribute reads and writes, also through attribute views; access checks;
 * {@link Path#toRealPath} and watch registration. So {@code Files.readAllBytes}, {@code Files.write},
 * {@code Files.newBufferedReader}, {@code Files.lines}, {@code Files.size}, {@code Files.delete},
 * {@code Files.createDirectories}, {@code Files.list}, {@code Files.walk}, {@code FileChannel.open}
 * and the rest all suspend instead of blocking the loop.
 *
 * <h2>What is delegated as is</h2>
 * {@code FileChannel.map} and {@code lock}/{@code tryLock} (a contended {@code lock()} blocks the
 * caller's carrier: use {@code tryLock} in bridged code), {@code FileStore} queries,
 * {@link AsynchronousFileChannel} (already asynchronous; only its open is offloaded), watch-service
 * {@code take}/{@code poll} (they park, which a bridged thread does unmounted), {@link Path#toUri}
 * (a {@code stat} to add the trailing slash of a directory), and every pure path operation.
 * {@code SecureDirectoryStream} is not offered; {@code java.io} ({@code FileInputStream},
 * {@code RandomAccessFile}) does not use providers at all and still blocks the carrier.
 *
 * <p><b>Threading:</b> thread-safe, like the platform provider. The objects it returns are as
 * thread-safe as the platform's: a channel may be shared, a stream or directory stream may not.
 */
public final class BridgeFileSystemProvider extends FileSystemProvider {

    private final FileSystemProvider platform;
    private final BridgeFileSystem fileSystem;

    /**
     * Wraps {@code platform}, the provider of the {@code file} scheme. The JDK calls this constructor
     * when the class is named by {@code -Djava.nio.file.spi.DefaultFileSystemProvider}; it must not
     * use the default file system, which is being created.
     *
     * @throws IllegalArgumentException if {@code platform} is not a {@code file} provider
     */
    public BridgeFileSystemProvider(FileSystemProvider platform) {
        this.platform = Objects.requireNonNull(platform, "platform");
        if (!"file".equalsIgnoreCase(platform.getScheme())) {
            throw new IllegalArgumentException("a BridgeFileSystemProvider wraps the 'file' provider, not '"
                    + platform.getScheme() + "'");
        }
        this.fileSystem = new BridgeFileSystem(this, platform.getFileSystem(URI.create("file:///")));
    }

    /** The provider this one wraps. */
    public FileSystemProvider platformProvider() {
        return platform;
    }

    // ---- file systems and paths: no I/O ---------------------------------------------------------

    @Override
    public String getScheme() {
        return platform.getScheme();
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        FileSystem created = platform.newFileSystem(uri, env); // for file:///, FileSystemAlreadyExistsException
        return created == fileSystem.platform() ? fileSystem : created;
    }

    @Override
    public FileSystem newFileSystem(Path path, Map<String, ?> env) throws IOException {
        return platform.newFileSystem(unwrap(path), env);
    }

    /** This provider's one file system, for {@code file:///}; the platform checks the URI. */
    @Override
    public FileSystem getFileSystem(URI uri) {
        FileSystem found = platform.getFileSystem(uri);
        return found == fileSystem.platform() ? fileSystem : found;
    }

    @Override
    public Path getPath(URI uri) {
        return fileSystem.wrap(platform.getPath(uri));
    }

    // ---- opening --------------------------------------------------------------------------------

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                                              FileAttribute<?>... attrs) throws IOException {
        Path p = unwrap(path);
        SeekableByteChannel channel = BridgeFiles.io(() -> platform.newByteChannel(p, options, attrs));
        return channel instanceof FileChannel file ? new BridgeFileChannel(file) : new BridgeByteChannel(channel);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options,
                                      FileAttribute<?>... attrs) throws IOException {
        Path p = unwrap(path);
        return new BridgeFileChannel(BridgeFiles.io(() -> platform.newFileChannel(p, options, attrs)));
    }

    @Override
    public AsynchronousFileChannel newAsynchronousFileChannel(Path path, Set<? extends OpenOption> options,
                                                              ExecutorService executor,
                                                              FileAttribute<?>... attrs) throws IOException {
        Path p = unwrap(path);
        return BridgeFiles.io(() -> platform.newAsynchronousFileChannel(p, options, executor, attrs));
    }

    @Override
    public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
        Path p = unwrap(path);
        return new BridgeInputStream(BridgeFiles.io(() -> platform.newInputStream(p, options)));
    }

    @Override
    public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
        Path p = unwrap(path);
        return new BridgeOutputStream(BridgeFiles.io(() -> platform.newOutputStream(p, options)));
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        Path d = unwrap(dir);
        Objects.requireNonNull(filter, "filter");
        // The filter is user code on our paths: it runs on the caller's thread, not on the pool.
        DirectoryStream<Path> entries = BridgeFiles.io(() -> platform.newDirectoryStream(d, entry -> true));
        return new BridgeDirectoryStream(fileSystem, entries, filter);
    }

    // ---- changing the tree ----------------------------------------------------------------------

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        Path d = unwrap(dir);
        BridgeFiles.io(() -> {
            platform.createDirectory(d, attrs);
            return null;
        });
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        Path l = unwrap(link);
        Path t = unwrap(target);
        BridgeFiles.io(() -> {
            platform.createSymbolicLink(l, t, attrs);
            return null;
        });
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        Path l = unwrap(link);
        Path e = unwrap(existing);
        BridgeFiles.io(() -> {
            platform.createLink(l, e);
            return null;
        });
    }

    @Override
    public void delete(Path path) throws IOException {
        Path p = unwrap(path);
        BridgeFiles.io(() -> {
            platform.delete(p);
            return null;
        });
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        Path p = unwrap(path);
        return BridgeFiles.io(() -> platform.deleteIfExists(p));
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        Path l = unwrap(link);
        return fileSystem.wrap(BridgeFiles.io(() -> platform.readSymbolicLink(l)));
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        Path s = unwrap(source);
        Path t = unwrap(target);
        BridgeFiles.io(() -> {
            platform.copy(s, t, options);
            return null;
        });
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        Path s = unwrap(source);
        Path t = unwrap(target);
        BridgeFiles.io(() -> {
            platform.move(s, t, options);
            return null;
        });
    }

    // ---- queries --------------------------------------------------------------------------------

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        Path a = unwrap(path);
        Path b = fileSystem.unwrapLenient(path2); // a path of another provider is simply not the same file
        return BridgeFiles.io(() -> platform.isSameFile(a, b));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        Path p = unwrap(path);
        return BridgeFiles.io(() -> platform.isHidden(p));
    }

    /** The platform's {@code FileStore}: its space queries run on the calling thread. */
    @Override
    public FileStore getFileStore(Path path) throws IOException {
        Path p = unwrap(path);
        return BridgeFiles.io(() -> platform.getFileStore(p));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        Path p = unwrap(path);
        BridgeFiles.io(() -> {
            platform.checkAccess(p, modes);
            return null;
        });
    }

    /**
     * {@inheritDoc} Answers {@code false} if the calling bridged thread is interrupted while it waits
     * (its interrupt status stays set): "cannot be determined", as the method's contract allows.
     */
    @Override
    public boolean exists(Path path, LinkOption... options) {
        Path p = unwrap(path);
        try {
            return BridgeFiles.io(() -> platform.exists(p, options));
        } catch (IOException interrupted) {
            return false;
        }
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributesIfExists(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        Path p = unwrap(path);
        return BridgeFiles.io(() -> platform.readAttributesIfExists(p, type, options));
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        Path p = unwrap(path);
        return BridgeFiles.io(() -> platform.readAttributes(p, type, options));
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        Path p = unwrap(path);
        return BridgeFiles.io(() -> platform.readAttributes(p, attributes, options));
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        Path p = unwrap(path);
        BridgeFiles.io(() -> {
            platform.setAttribute(p, attribute, value, options);
            return null;
        });
    }

    /** The platform's view, whose methods (except {@code name()}) each run through {@link BridgeFiles#io}. */
    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        V view = platform.getFileAttributeView(unwrap(path), type, options);
        return view == null ? null : BridgedAttributeView.of(view, type);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** The platform path behind {@code path}, which must be ours or the platform's. */
    private Path unwrap(Path path) {
        return fileSystem.unwrap(path);
    }

    @Override
    public String toString() {
        return "BridgeFileSystemProvider[" + platform + "]";
    }
}
