package io.vtbridge.samples;

import io.vtbridge.Bridge;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stand-in for a "legacy" library: plain blocking code written for threads, with no idea of event
 * loops or futures. It blocks in three ways the bridge turns into suspend/resume:
 * {@link Thread#sleep} (a slow remote call), a {@link ReentrantLock} held across a wait (per-item
 * locking), and {@link Bridge#sleep} (a log flush; outside bridged code it is a plain sleep, so the
 * library works in both worlds).
 *
 * <p><b>Threading:</b> thread-safe; one lock per item. No {@code synchronized}: on JDK 21–23 it would
 * pin the carrier, i.e. hold the whole shard.
 */
public final class LegacyInventory {

    /** Units each item starts with. */
    public static final int INITIAL_STOCK = 1_000_000;

    private final ReentrantLock[] locks;
    private final int[] stock; // stock[i] guarded by locks[i]

    /** @param items the number of distinct items (and locks) */
    public LegacyInventory(int items) {
        locks = new ReentrantLock[items];
        stock = new int[items];
        for (int i = 0; i < items; i++) {
            locks[i] = new ReentrantLock();
            stock[i] = INITIAL_STOCK;
        }
    }

    /**
     * Reserves {@code quantity} of {@code item}: asks a (simulated) pricing service, then updates the
     * stock under the item's lock and flushes a (simulated) log before letting go of the lock.
     *
     * @return the stock left
     */
    public int reserve(int item, int quantity) throws InterruptedException {
        Thread.sleep(2);                        // the remote pricing call: JDK-native park
        ReentrantLock lock = locks[item];
        lock.lock();                            // contended: waiters park, the loop runs others
        try {
            int left = stock[item] -= quantity;
            Bridge.sleep(Duration.ofMillis(1)); // the log flush, while holding the lock: a loop timer
            return left;
        } finally {
            lock.unlock();
        }
    }

    /** The stock left of {@code item}. */
    public int stock(int item) {
        ReentrantLock lock = locks[item];
        lock.lock();
        try {
            return stock[item];
        } finally {
            lock.unlock();
        }
    }
}
