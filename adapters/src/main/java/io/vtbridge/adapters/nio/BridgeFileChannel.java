package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A platform {@link FileChannel} whose reads, writes, {@code position}, {@code size},
 * {@code truncate}, {@code force}, transfers and close each run through {@link BridgeFiles#io}: in
 * bridged code on the blocking pool while the caller waits unmounted.
 *
 * <p>Delegated as is, on the calling thread: {@link #map} (the mapping is a quick system call; the
 * page faults of reading it later block whichever thread touches the pages), and {@link #lock} /
 * {@link #tryLock} (a contended {@code lock()} blocks the caller's carrier; prefer {@code tryLock}
 * in bridged code). The locks they return name this channel. {@code map(mode, offset, size, arena)}
 * (JDK 22+) is not supported: this class is compiled for JDK 21.
 *
 * <p>Interrupts: a bridged caller interrupted while it waits gets an
 * {@link java.io.InterruptedIOException} and the pool thread doing its I/O is interrupted, which
 * closes the platform channel, as an interrupt does in the JDK; this wrapper then reports
 * {@link java.nio.channels.ClosedChannelException} from its next operation. A close is never lost:
 * if it cannot run on the pool (interrupt, pool full), it runs on the calling thread.
 *
 * <p><b>Threading:</b> as thread-safe as the platform channel, which it is.
 */
final class BridgeFileChannel extends FileChannel {

    private final FileChannel platform;

    BridgeFileChannel(FileChannel platform) {
        this.platform = platform;
    }

    /** The platform channel behind {@code channel} if it is one of ours, else {@code channel}. */
    static <C> C unwrap(C channel) {
        if (channel instanceof BridgeFileChannel bridged) {
            @SuppressWarnings("unchecked") // a FileChannel is every channel type it is asked for here
            C inner = (C) bridged.platform;
            return inner;
        }
        if (channel instanceof BridgeByteChannel bridged) {
            @SuppressWarnings("unchecked")
            C inner = (C) bridged.platform();
            return inner;
        }
        return channel;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return BridgeFiles.io(() -> platform.read(dst));
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return BridgeFiles.io(() -> platform.read(dsts, offset, length));
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return BridgeFiles.io(() -> platform.write(src));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return BridgeFiles.io(() -> platform.write(srcs, offset, length));
    }

    @Override
    public long position() throws IOException {
        return BridgeFiles.io(platform::position);
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        BridgeFiles.io(() -> platform.position(newPosition));
        return this;
    }

    @Override
    public long size() throws IOException {
        return BridgeFiles.io(platform::size);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        BridgeFiles.io(() -> platform.truncate(size));
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        BridgeFiles.io(() -> {
            platform.force(metaData);
            return null;
        });
    }

    /**
     * One {@link BridgeFiles#io} for the whole transfer. A target that is one of our channels is
     * unwrapped, so the platform can copy in the kernel; any other target's {@code write} runs on
     * the pool thread.
     */
    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        WritableByteChannel to = unwrap(target);
        return BridgeFiles.io(() -> platform.transferTo(position, count, to));
    }

    /** As {@link #transferTo}, from {@code src}. */
    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        ReadableByteChannel from = unwrap(src);
        return BridgeFiles.io(() -> platform.transferFrom(from, position, count));
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return BridgeFiles.io(() -> platform.read(dst, position));
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        return BridgeFiles.io(() -> platform.write(src, position));
    }

    /** Delegated on the calling thread (see the class comment). */
    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return platform.map(mode, position, size);
    }

    /** Delegated on the calling thread: a contended lock blocks the carrier (see the class comment). */
    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return new BridgeFileLock(this, platform.lock(position, size, shared));
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        FileLock lock = platform.tryLock(position, size, shared);
        return lock == null ? null : new BridgeFileLock(this, lock);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        Closing.close(platform);
    }

    @Override
    public String toString() {
        return "BridgeFileChannel[" + platform + "]";
    }

    /** A platform lock that names the wrapping channel as its {@link #channel()}. */
    private static final class BridgeFileLock extends FileLock {

        private final FileLock platform;

        BridgeFileLock(BridgeFileChannel channel, FileLock platform) {
            super(channel, platform.position(), platform.size(), platform.isShared());
            this.platform = platform;
        }

        @Override
        public boolean isValid() {
            return platform.isValid();
        }

        @Override
        public void release() throws IOException {
            platform.release();
        }
    }
}
