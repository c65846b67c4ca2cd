package io.vtbridge;

import io.vtbridge.loop.ShardLoop;
import io.vtbridge.monitor.EventKind;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * File I/O that does not hold a shard: each call runs on the bridge's blocking pool while the
 * calling bridged virtual thread waits unmounted, so its loop keeps serving other virtual threads.
 * REQUEST, SUSPEND and RESUME of kind {@link EventKind#FILE}.
 *
 * <pre>{@code
 * int n = BridgeFiles.read(channel, page, offset);                    // positional, FileChannel-style
 * String conf = BridgeFiles.readString(Path.of("app.conf"));          // whole file
 * long size = BridgeFiles.io(() -> Files.size(Path.of("data.bin"))); // any java.nio.file call
 * }</pre>
 *
 * Why it is needed: a {@code FileChannel} or {@code java.io} read in a virtual thread blocks its
 * carrier, and the JDK's compensation for that (an extra carrier while the call lasts) exists only
 * for its own scheduler. On a shard, the carrier is the loop: without {@code BridgeFiles} one slow
 * disk read stops every virtual thread of the shard.
 *
 * <h2>Exceptions</h2>
 * A call throws what the operation threw, as the same object: a {@link java.nio.file.NoSuchFileException}
 * or {@link java.nio.file.AccessDeniedException} reaches the caller unwrapped, and so does an
 * unchecked exception or an error. On top of that, in bridged code:
 * <ul>
 *   <li>{@link InterruptedIOException} if the calling thread is interrupted before or while it waits
 *       (also when its task is cancelled with {@code cancel(true)}). Its interrupt status is set again,
 *       and the operation is cancelled: it never runs if it was still queued; if it was running, its
 *       pool thread is interrupted, which closes a {@code FileChannel} it was using, as an interrupt
 *       of a thread blocked in {@code FileChannel} I/O does in the JDK. What it had already done (bytes
 *       written, a buffer filled in part) is not undone.</li>
 *   <li>{@link BridgeOverloadedException} if the blocking pool's queue is full: at once, nothing ran.</li>
 *   <li>{@link java.util.concurrent.RejectedExecutionException} if the bridge is shutting down.</li>
 * </ul>
 *
 * <p><b>Threading:</b> every method may be called from any thread. In bridged code the operation
 * runs on a platform thread of that bridge's blocking pool, and the caller waits unmounted; the
 * pool's completion resumes it (on its shard, or on an idle one that takes it). Anywhere else (platform threads, the JDK's own
 * virtual threads, the pool threads themselves) the operation runs on the calling thread, and the
 * only cost added is one check of the current thread. Buffers and arrays handed to a call are used
 * by the pool thread until the call returns; the future that carries the result orders those uses
 * before the caller's next access.
 */
public final class BridgeFiles {

    /**
     * A file operation for {@link #io(IoCall)}: it may throw an {@link IOException} or an unchecked
     * exception, and {@code io} rethrows it unchanged.
     *
     * @param <T> what the operation returns ({@code Void}, returning {@code null}, for none)
     */
    @FunctionalInterface
    public interface IoCall<T> {
        /** Performs the operation. */
        T call() throws IOException;
    }

    private BridgeFiles() {
    }

    /**
     * Runs {@code op}: in bridged code on the blocking pool while the caller waits unmounted (REQUEST,
     * SUSPEND, RESUME of kind FILE), anywhere else on the calling thread. The building block of every
     * other method here, and of the {@code java.nio.file} provider of the adapters module
     * ({@code io.vtbridge.adapters.nio.BridgeFileSystemProvider}).
     *
     * @return what {@code op} returned
     * @throws IOException             what {@code op} threw, unwrapped
     * @throws InterruptedIOException  in bridged code, if the thread is interrupted before or while
     *                                 it waits; its interrupt status is set again and {@code op} is
     *                                 cancelled (see the class comment)
     * @throws BridgeOverloadedException if the blocking pool's queue is full
     * @throws NullPointerException    if {@code op} is null
     */
    public static <T> T io(IoCall<T> op) throws IOException {
        Objects.requireNonNull(op, "op");
        if (ShardLoop.current() == null) {
            return op.call(); // not bridged code: there is no loop to keep free
        }
        return offload(op);
    }

    private static <T> T offload(IoCall<T> op) throws IOException {
        try {
            return BridgedCalls.offload(Priority.HIGH, op::call, EventKind.FILE);
        } catch (IOException | RuntimeException thrownByOpOrPool) {
            throw thrownByOpOrPool;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // future.get() cleared it; the caller may still want it
            InterruptedIOException interrupted = new InterruptedIOException(
                    "interrupted while waiting for file I/O on the blocking pool; the operation was cancelled");
            interrupted.initCause(e);
            throw interrupted;
        } catch (Exception impossible) {
            // An IoCall throws IOException or unchecked exceptions only, and the offload adds InterruptedException.
            throw new IllegalStateException("unexpected checked exception from a file operation", impossible);
        }
    }

    // ---- whole files ----------------------------------------------------------------------------

    /**
     * {@link Files#readAllBytes(Path)} through {@link #io(IoCall)}.
     *
     * @throws IOException as {@code Files.readAllBytes} throws it, or {@link InterruptedIOException}
     */
    public static byte[] readAllBytes(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        return io(() -> Files.readAllBytes(path));
    }

    /** {@link Files#readString(Path)} (UTF-8) through {@link #io(IoCall)}. */
    public static String readString(Path path) throws IOException {
        return readString(path, StandardCharsets.UTF_8);
    }

    /**
     * {@link Files#readString(Path, Charset)} through {@link #io(IoCall)}: the bytes are read and
     * decoded on the pool thread.
     *
     * @throws java.nio.charset.MalformedInputException if the file is not valid in {@code charset}
     */
    public static String readString(Path path, Charset charset) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(charset, "charset");
        return io(() -> Files.readString(path, charset));
    }

    /** {@link Files#readAllLines(Path, Charset)} through {@link #io(IoCall)}. */
    public static List<String> readAllLines(Path path, Charset charset) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(charset, "charset");
        return io(() -> Files.readAllLines(path, charset));
    }

    /**
     * {@link Files#write(Path, byte[], OpenOption...)} through {@link #io(IoCall)}: no options means
     * CREATE, TRUNCATE_EXISTING, WRITE.
     *
     * @return {@code path}
     */
    public static Path write(Path path, byte[] bytes, OpenOption... options) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(options, "options");
        return io(() -> Files.write(path, bytes, options));
    }

    /** {@link Files#writeString(Path, CharSequence, OpenOption...)} (UTF-8) through {@link #io(IoCall)}. */
    public static Path writeString(Path path, CharSequence text, OpenOption... options) throws IOException {
        return writeString(path, text, StandardCharsets.UTF_8, options);
    }

    /**
     * {@link Files#writeString(Path, CharSequence, Charset, OpenOption...)} through
     * {@link #io(IoCall)}: encoded and written on the pool thread. {@code text} must not change until
     * the call returns.
     */
    public static Path writeString(Path path, CharSequence text, Charset charset, OpenOption... options) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(charset, "charset");
        Objects.requireNonNull(options, "options");
        return io(() -> Files.writeString(path, text, charset, options));
    }

    // ---- positional channel I/O -----------------------------------------------------------------

    /**
     * {@link FileChannel#read(ByteBuffer, long)} through {@link #io(IoCall)}: reads into {@code dst}
     * from {@code position} without moving the channel's position.
     *
     * @return bytes read, possibly zero, or -1 if {@code position} is at or past the end of the file
     */
    public static int read(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(dst, "dst");
        return io(() -> channel.read(dst, position));
    }

    /**
     * {@link FileChannel#write(ByteBuffer, long)} through {@link #io(IoCall)}: writes {@code src} at
     * {@code position} without moving the channel's position (the file grows if needed).
     *
     * @return bytes written
     */
    public static int write(FileChannel channel, ByteBuffer src, long position) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(src, "src");
        return io(() -> channel.write(src, position));
    }

    /** {@link FileChannel#force(boolean)} (fsync / fdatasync) through {@link #io(IoCall)}. */
    public static void force(FileChannel channel, boolean metaData) throws IOException {
        Objects.requireNonNull(channel, "channel");
        io(() -> {
            channel.force(metaData);
            return null;
        });
    }

    /** {@link FileChannel#size()} through {@link #io(IoCall)}. */
    public static long size(FileChannel channel) throws IOException {
        Objects.requireNonNull(channel, "channel");
        return io(channel::size);
    }
}
