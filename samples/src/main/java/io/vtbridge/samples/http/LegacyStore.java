package io.vtbridge.samples.http;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The short blocking legacy call behind each {@code /call} of {@link HttpLatency}: a remote call of
 * {@code remote} ({@code Thread.sleep}), then an update of a shared map under a
 * {@code ReentrantLock}. Both block in ways the JDK can unmount, so a virtual thread, bridged or
 * not, gives up its carrier while it waits.
 *
 * <p><b>Threading:</b> {@link #call} and {@link #total} from any thread; the map is guarded by
 * {@code lock}.
 */
final class LegacyStore {

    private final Duration remote;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Integer, Long> counts = new HashMap<>();  // guarded by lock
    private long total;                                         // guarded by lock

    LegacyStore(Duration remote) {
        this.remote = remote;
    }

    /** The remote call, then {@code key}'s count incremented; returns the new count. */
    long call(int key) throws InterruptedException {
        if (!remote.isZero()) {
            Thread.sleep(remote);
        }
        lock.lock();
        try {
            total++;
            return counts.merge(key, 1L, Long::sum);
        } finally {
            lock.unlock();
        }
    }

    /** Calls completed so far. */
    long total() {
        lock.lock();
        try {
            return total;
        } finally {
            lock.unlock();
        }
    }
}
