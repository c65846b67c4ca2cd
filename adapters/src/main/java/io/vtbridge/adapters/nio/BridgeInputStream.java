package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The platform's file input stream ({@code Files.newInputStream}), each call through
 * {@link BridgeFiles#io}. {@link #readAllBytes()} and the {@code readNBytes} methods are one call on
 * the pool for the whole read, not one per buffer. Unbuffered, as the platform's stream is: wrap it
 * in a {@code BufferedInputStream} (or use {@code Files.newBufferedReader}) for small reads.
 *
 * <p><b>Threading:</b> one thread at a time, as any {@code InputStream}.
 */
final class BridgeInputStream extends InputStream {

    private final InputStream platform;

    BridgeInputStream(InputStream platform) {
        this.platform = platform;
    }

    @Override
    public int read() throws IOException {
        return BridgeFiles.io(platform::read);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return BridgeFiles.io(() -> platform.read(b, off, len));
    }

    @Override
    public byte[] readAllBytes() throws IOException {
        return BridgeFiles.io(platform::readAllBytes);
    }

    @Override
    public byte[] readNBytes(int len) throws IOException {
        return BridgeFiles.io(() -> platform.readNBytes(len));
    }

    @Override
    public int readNBytes(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return BridgeFiles.io(() -> platform.readNBytes(b, off, len));
    }

    @Override
    public long skip(long n) throws IOException {
        return BridgeFiles.io(() -> platform.skip(n));
    }

    @Override
    public int available() throws IOException {
        return BridgeFiles.io(platform::available);
    }

    @Override
    public void close() throws IOException {
        Closing.close(platform);
    }

    @Override
    public String toString() {
        return "BridgeInputStream[" + platform + "]";
    }
}
