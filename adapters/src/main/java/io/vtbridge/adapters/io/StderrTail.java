package io.vtbridge.adapters.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains a child's standard error for as long as the child keeps it open, keeping only the last
 * {@code capacity} bytes: the child never blocks on a full stderr pipe, and a death report can say
 * what it wrote last.
 *
 * <p><b>Threading:</b> {@link #run()} is the body of the child's stderr thread; {@link #tail()} may
 * be called from any thread. The ring and its count are guarded by {@code this}, held for a copy of
 * at most one read's bytes (platform threads only: the channel's own).
 */
final class StderrTail implements Runnable {

    private final InputStream stderr;
    private final byte[] ring;   // guarded by this
    private long total;          // guarded by this: bytes appended since the start

    StderrTail(InputStream stderr, int capacity) {
        this.stderr = stderr;
        this.ring = new byte[capacity];
    }

    @Override
    public void run() {
        byte[] chunk = new byte[4096];
        try (stderr) {
            for (int n = stderr.read(chunk); n >= 0; n = stderr.read(chunk)) {
                append(chunk, n);
            }
        } catch (IOException closed) {
            // the pipe was closed under the read: the child is gone, the tail is what it is
        }
    }

    private synchronized void append(byte[] chunk, int n) {
        int capacity = ring.length;
        if (capacity == 0) {
            total += n;
            return;
        }
        // Only the last `capacity` bytes of the chunk can survive.
        int skip = Math.max(0, n - capacity);
        for (int i = skip; i < n; ) {
            int at = (int) ((total + i) % capacity);
            int run = Math.min(n - i, capacity - at);
            System.arraycopy(chunk, i, ring, at, run);
            i += run;
        }
        total += n;
    }

    /**
     * The last bytes written, oldest first, decoded as UTF-8 (a character cut at the start is
     * replaced), after {@code "..."} if earlier bytes were dropped; empty when nothing is kept.
     */
    synchronized String tail() {
        int capacity = ring.length;
        if (capacity == 0) {
            return "";
        }
        int kept = (int) Math.min(total, capacity);
        byte[] out = new byte[kept];
        int start = (int) ((total - kept) % capacity);
        int first = Math.min(kept, capacity - start);
        System.arraycopy(ring, start, out, 0, first);
        System.arraycopy(ring, 0, out, first, kept - first);
        String text = new String(out, StandardCharsets.UTF_8);
        return total > kept ? "..." + text : text;
    }
}
