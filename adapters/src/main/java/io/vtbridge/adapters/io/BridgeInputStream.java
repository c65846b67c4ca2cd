package io.vtbridge.adapters.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Any {@link InputStream} whose blocking calls, made from bridged code, run on the bridge's blocking
 * pool while the calling virtual thread waits unmounted, so its shard keeps serving other virtual
 * threads; made from anywhere else, they call straight through to the wrapped stream.
 *
 * <pre>{@code
 * InputStream in = new BufferedInputStream(new BridgeInputStream(socket.getInputStream()));
 * byte[] all = new BridgeInputStream(process.getInputStream()).readAllBytes(); // one offload
 * }</pre>
 *
 * <h2>What moves to the pool</h2>
 * In bridged code each {@code read}, {@code skip}, {@code skipNBytes}, {@code reset} and
 * {@code close} is one call on the pool ({@link io.vtbridge.Bridge#blocking}: REQUEST, SUSPEND,
 * RESUME of kind BLOCKING). {@link #readAllBytes()}, {@link #readNBytes(int)},
 * {@link #readNBytes(byte[], int, int)} and {@link #transferTo(OutputStream)} are one call for the
 * whole read, not one per buffer. {@link #available()}, {@link #mark(int)} and
 * {@link #markSupported()} call straight through: by their contracts they do not block. Every call
 * costs a hand-off to a pool thread and back, so put a buffer <em>outside</em> the wrapper
 * ({@code new BufferedInputStream(new BridgeInputStream(raw))}) for small reads.
 *
 * <h2>Exceptions</h2>
 * An {@link IOException} (or unchecked exception, or error) of the wrapped stream reaches the caller
 * as the same object. Added in bridged code:
 * <ul>
 *   <li>{@link InterruptedIOException} if the caller is interrupted before or while it waits; its
 *       interrupt status is set again. A call still queued never runs. A call already running is
 *       interrupted on its pool thread, which many streams ignore (a pipe or socket read keeps
 *       waiting): until it ends, every later call but {@link #close()} throws an {@link IOException}
 *       saying so, so that two threads never use the wrapped stream at once. Bytes that call reads
 *       are lost to the caller, and it may still write into the array it was given until it ends.
 *       Closing the stream is the usual way to end it.</li>
 *   <li>{@link io.vtbridge.BridgeOverloadedException} if the blocking pool's queue is full, and
 *       {@link java.util.concurrent.RejectedExecutionException} while the bridge shuts down (for
 *       {@link #close()}: the close then runs on the calling thread instead, so it is never lost).
 *       Should the pool end the caller's wait while the call runs (a
 *       {@link java.util.concurrent.CancellationException}), that exception arrives as it is, and the
 *       running call keeps later calls off the stream until it ends, as after an interrupt.</li>
 * </ul>
 * Arguments are checked as {@link InputStream} specifies, before anything is offloaded.
 *
 * <p><b>Threading:</b> one thread at a time, as any {@code InputStream}; a bridged caller's call
 * runs on a pool thread while the caller waits, and the pool's completion orders that thread's
 * reads and writes (of the stream and of the caller's array) before the caller's return. The
 * wrapped stream must not be used directly while it is wrapped.
 */
public final class BridgeInputStream extends InputStream {

    private final InputStream in;
    private final StreamOffload offload;

    /**
     * Wraps {@code in}.
     *
     * @throws NullPointerException if {@code in} is null
     */
    public BridgeInputStream(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
        this.offload = new StreamOffload(this);
    }

    @Override
    public int read() throws IOException {
        offload.checkNoStraggler("read");
        if (!StreamOffload.bridged()) {
            return in.read();
        }
        return offload.offload("read", in::read);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.requireNonNull(b, "b");
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        offload.checkNoStraggler("read");
        if (!StreamOffload.bridged()) {
            return in.read(b, off, len);
        }
        return offload.offload("read", () -> in.read(b, off, len));
    }

    /** Reads to the end of the stream: in bridged code one call on the pool for the whole read. */
    @Override
    public byte[] readAllBytes() throws IOException {
        offload.checkNoStraggler("readAllBytes");
        if (!StreamOffload.bridged()) {
            return in.readAllBytes();
        }
        return offload.offload("readAllBytes", in::readAllBytes);
    }

    /**
     * Reads up to {@code len} bytes: in bridged code one call on the pool for the whole read.
     *
     * @throws IllegalArgumentException if {@code len} is negative
     */
    @Override
    public byte[] readNBytes(int len) throws IOException {
        if (len < 0) {
            throw new IllegalArgumentException("len must not be negative: " + len);
        }
        offload.checkNoStraggler("readNBytes");
        if (!StreamOffload.bridged()) {
            return in.readNBytes(len);
        }
        return offload.offload("readNBytes", () -> in.readNBytes(len));
    }

    /** Reads up to {@code len} bytes into {@code b}: in bridged code one call on the pool for the whole read. */
    @Override
    public int readNBytes(byte[] b, int off, int len) throws IOException {
        Objects.requireNonNull(b, "b");
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        offload.checkNoStraggler("readNBytes");
        if (!StreamOffload.bridged()) {
            return in.readNBytes(b, off, len);
        }
        return offload.offload("readNBytes", () -> in.readNBytes(b, off, len));
    }

    @Override
    public long skip(long n) throws IOException {
        offload.checkNoStraggler("skip");
        if (!StreamOffload.bridged()) {
            return in.skip(n);
        }
        return offload.offload("skip", () -> in.skip(n));
    }

    /** Skips exactly {@code n} bytes: in bridged code one call on the pool, however many skips it takes. */
    @Override
    public void skipNBytes(long n) throws IOException {
        offload.checkNoStraggler("skipNBytes");
        if (!StreamOffload.bridged()) {
            in.skipNBytes(n);
            return;
        }
        offload.offload("skipNBytes", () -> {
            in.skipNBytes(n);
            return null;
        });
    }

    /** The wrapped stream's estimate, on the calling thread: {@code available()} does not block. */
    @Override
    public int available() throws IOException {
        offload.checkNoStraggler("available");
        return in.available();
    }

    /**
     * Copies the rest of this stream to {@code out}: in bridged code one call on the pool for the
     * whole transfer, in which {@code out}'s writes run on the pool thread too.
     *
     * @throws NullPointerException if {@code out} is null
     */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        offload.checkNoStraggler("transferTo");
        if (!StreamOffload.bridged()) {
            return in.transferTo(out);
        }
        return offload.offload("transferTo", () -> in.transferTo(out));
    }

    /** The wrapped stream's {@code mark}, on the calling thread. */
    @Override
    public void mark(int readlimit) {
        in.mark(readlimit);
    }

    /** The wrapped stream's {@code reset}: in bridged code on the pool (some streams reposition a file). */
    @Override
    public void reset() throws IOException {
        offload.checkNoStraggler("reset");
        if (!StreamOffload.bridged()) {
            in.reset();
            return;
        }
        offload.offload("reset", () -> {
            in.reset();
            return null;
        });
    }

    /** The wrapped stream's {@code markSupported}. */
    @Override
    public boolean markSupported() {
        return in.markSupported();
    }

    /**
     * Closes the wrapped stream: in bridged code on the pool, or on the calling thread if the pool
     * refuses the call or the caller stops waiting (interrupted) before it starts there, so a close
     * is never lost. A close already running on the pool when its caller is interrupted goes on there
     * and is not repeated: the caller returns with its interrupt status set, and a {@code close()}
     * while it still runs returns at once. Allowed while an abandoned read still runs: a close is how
     * it ends.
     */
    @Override
    public void close() throws IOException {
        if (!StreamOffload.bridged()) {
            in.close();
            return;
        }
        offload.close(in);
    }

    @Override
    public String toString() {
        return "BridgeInputStream[" + in + "]";
    }
}
