package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Closes platform channels and streams through {@link BridgeFiles#io} (a close can block: it is where
 * a network file system flushes), and never leaks one: a close that cannot run on the pool runs on
 * the calling thread.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
final class Closing {

    private Closing() {
    }

    /**
     * Closes {@code resource} on the pool in bridged code, on the calling thread otherwise. If the
     * caller is interrupted while it waits, or the pool refuses the call (full, shutting down), the
     * close runs here instead; an interrupt status stays set, and closing twice is harmless.
     */
    static void close(Closeable resource) throws IOException {
        try {
            BridgeFiles.io(() -> {
                resource.close();
                return null;
            });
        } catch (InterruptedIOException | RejectedExecutionException notRunOnThePool) {
            resource.close();
        }
    }
}
