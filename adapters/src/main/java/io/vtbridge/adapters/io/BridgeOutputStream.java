package io.vtbridge.adapters.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Any {@link OutputStream} whose blocking calls, made from bridged code, run on the bridge's
 * blocking pool while the calling virtual thread waits unmounted, so its shard keeps serving other
 * virtual threads; made from anywhere else, they call straight through to the wrapped stream.
 *
 * <pre>{@code
 * OutputStream out = new BufferedOutputStream(new BridgeOutputStream(socket.getOutputStream()));
 * out.write(header);   // into the buffer, on the caller
 * out.flush();         // one write and one flush of the socket stream, each on the pool
 * }</pre>
 *
 * <p>In bridged code each {@code write}, {@link #flush()} and {@link #close()} is one call on the
 * pool ({@link io.vtbridge.Bridge#blocking}: REQUEST, SUSPEND, RESUME of kind BLOCKING). Each costs
 * a hand-off to a pool thread and back, so put a buffer <em>outside</em> the wrapper for small
 * writes, as above: the buffer then fills on the caller and only its flushes reach the pool.
 *
 * <p>Exceptions as for {@link BridgeInputStream}: the wrapped stream's {@link IOException} arrives
 * unchanged; in bridged code an interrupt before or while the caller waits throws
 * {@link InterruptedIOException} with the interrupt status set again (a write still queued never
 * runs; one already running may have written part of its bytes, and until it ends every later call
 * but {@link #close()} is refused with an {@link IOException}); a full blocking pool throws
 * {@link io.vtbridge.BridgeOverloadedException}. Arguments are checked as {@link OutputStream}
 * specifies, before anything is offloaded.
 *
 * <p><b>Threading:</b> one thread at a time, as any {@code OutputStream}; a bridged caller's call
 * runs on a pool thread while the caller waits, and the pool's completion orders that thread's reads
 * of the caller's array before the caller's return, so the array may be reused as soon as
 * {@code write} returns. The wrapped stream must not be used directly while it is wrapped.
 */
public final class BridgeOutputStream extends OutputStream {

    private final OutputStream out;
    private final StreamOffload offload;

    /**
     * Wraps {@code out}.
     *
     * @throws NullPointerException if {@code out} is null
     */
    public BridgeOutputStream(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
        this.offload = new StreamOffload(this);
    }

    @Override
    public void write(int b) throws IOException {
        offload.checkNoStraggler("write");
        if (!StreamOffload.bridged()) {
            out.write(b);
            return;
        }
        offload.offload("write", () -> {
            out.write(b);
            return null;
        });
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.requireNonNull(b, "b");
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        offload.checkNoStraggler("write");
        if (!StreamOffload.bridged()) {
            out.write(b, off, len);
            return;
        }
        offload.offload("write", () -> {
            out.write(b, off, len);
            return null;
        });
    }

    /** Flushes the wrapped stream: in bridged code on the pool (a buffered stream writes here). */
    @Override
    public void flush() throws IOException {
        offload.checkNoStraggler("flush");
        if (!StreamOffload.bridged()) {
            out.flush();
            return;
        }
        offload.offload("flush", () -> {
            out.flush();
            return null;
        });
    }

    /**
     * Closes the wrapped stream (which flushes it, if it buffers): in bridged code on the pool, or on
     * the calling thread if the pool refuses the call or the caller stops waiting (interrupted)
     * before it starts there, so a close is never lost. A close already running on the pool when its
     * caller is interrupted goes on there and is not repeated: the caller returns with its interrupt
     * status set, and a {@code close()} while it still runs returns at once.
     */
    @Override
    public void close() throws IOException {
        if (!StreamOffload.bridged()) {
            out.close();
            return;
        }
        offload.close(out);
    }

    @Override
    public String toString() {
        return "BridgeOutputStream[" + out + "]";
    }
}
