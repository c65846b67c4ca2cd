package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * A platform {@link SeekableByteChannel} that is not a {@code FileChannel} (the platform provider
 * returns {@code FileChannel}s, which {@link BridgeFileChannel} wraps; this is the fallback): each
 * read, write, {@code position}, {@code size}, {@code truncate} and the close run through
 * {@link BridgeFiles#io}.
 *
 * <p><b>Threading:</b> as thread-safe as the platform channel.
 */
final class BridgeByteChannel implements SeekableByteChannel {

    private final SeekableByteChannel platform;

    BridgeByteChannel(SeekableByteChannel platform) {
        this.platform = platform;
    }

    SeekableByteChannel platform() {
        return platform;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return BridgeFiles.io(() -> platform.read(dst));
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return BridgeFiles.io(() -> platform.write(src));
    }

    @Override
    public long position() throws IOException {
        return BridgeFiles.io(platform::position);
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        BridgeFiles.io(() -> platform.position(newPosition));
        return this;
    }

    @Override
    public long size() throws IOException {
        return BridgeFiles.io(platform::size);
    }

    @Override
    public SeekableByteChannel truncate(long size) throws IOException {
        BridgeFiles.io(() -> platform.truncate(size));
        return this;
    }

    @Override
    public boolean isOpen() {
        return platform.isOpen();
    }

    @Override
    public void close() throws IOException {
        Closing.close(platform);
    }

    @Override
    public String toString() {
        return "BridgeByteChannel[" + platform + "]";
    }
}
