package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The platform's file output stream ({@code Files.newOutputStream}), each write and the close through
 * {@link BridgeFiles#io}. {@link #flush()} stays on the calling thread: the platform stream has no
 * buffer, so it does nothing. Unbuffered: {@code Files.newBufferedWriter} or a
 * {@code BufferedOutputStream} turns many small writes into one call per buffer.
 *
 * <p><b>Threading:</b> one thread at a time, as any {@code OutputStream}.
 */
final class BridgeOutputStream extends OutputStream {

    private final OutputStream platform;

    BridgeOutputStream(OutputStream platform) {
        this.platform = platform;
    }

    @Override
    public void write(int b) throws IOException {
        BridgeFiles.io(() -> {
            platform.write(b);
            return null;
        });
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        BridgeFiles.io(() -> {
            platform.write(b, off, len);
            return null;
        });
    }

    @Override
    public void flush() throws IOException {
        platform.flush();
    }

    @Override
    public void close() throws IOException {
        Closing.close(platform);
    }

    @Override
    public String toString() {
        return "BridgeOutputStream[" + platform + "]";
    }
}
