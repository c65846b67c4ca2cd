package io.vtbridge.sync;

import java.util.IdentityHashMap;

/**
 * The state and wait queue of {@code io.vtbridge.BridgeReadWriteLock}: any number of readers, or one
 * writer (re-entrant both ways; a writer may also take the read lock, i.e. downgrade).
 *
 * <p>Writer preference without starving anyone: a read request is granted at once only when no
 * writer holds the lock and nobody is queued, so a queued writer is never overtaken by a stream of
 * new readers; when the writer releases, every reader queued before the next writer is granted in
 * one go. A thread that already holds the read lock may take it again past the queue (otherwise it
 * would wait for a writer that waits for it).
 *
 * <p><b>Threading:</b> thread-safe; every field is guarded by the queue's guard.
 *
 * <p><b>Not API</b>: public for {@code io.vtbridge}.
 */
public final class SharedExclusiveSync extends QueuedSync {

    private volatile Thread writer;                                      // guarded; volatile for monitoring reads
    private int writeHolds;                                              // guarded
    private volatile int readers;                                        // guarded: read holds of all threads; volatile for monitoring
    private final IdentityHashMap<Thread, int[]> readHolds = new IdentityHashMap<>(); // guarded: per reader thread

    /** Acquires the read lock for the current thread. */
    public boolean acquireShared(boolean interruptible, long timeoutNanos) throws InterruptedException {
        return acquire(true, 1, interruptible, timeoutNanos);
    }

    /**
     * Acquires the write lock for the current thread.
     *
     * @throws IllegalStateException if the current thread holds the read lock (an upgrade would wait
     *                               for itself forever)
     */
    public boolean acquireExclusive(boolean interruptible, long timeoutNanos) throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException(); // first, as ReentrantReadWriteLock does: also for a re-entrant call
        }
        Thread me = Thread.currentThread();
        lockGuard();
        boolean reentrant = writer == me;
        if (reentrant) {
            writeHolds++;
        }
        boolean reading = !reentrant && readHolds.containsKey(me);
        unlockGuard();
        if (reentrant) {
            return true;
        }
        if (reading) {
            throw new IllegalStateException(me + " holds the read lock: upgrading to the write lock would deadlock");
        }
        return acquire(false, 1, interruptible, timeoutNanos);
    }

    @Override
    protected boolean mayBarge(Thread thread, boolean shared) {
        return shared && (writer == thread || readHolds.containsKey(thread));
    }

    @Override
    protected boolean tryGrant(Thread thread, boolean shared, int arg) {
        Thread w = writer;
        if (shared) {
            if (w != null && w != thread) {
                return false;
            }
            readers++;
            int[] holds = readHolds.get(thread);
            if (holds == null) {
                readHolds.put(thread, new int[] {1});
            } else {
                holds[0]++;
            }
            return true;
        }
        if (w != null || readers != 0) {
            return false;
        }
        writer = thread;
        writeHolds = 1;
        return true;
    }

    /**
     * Releases one read hold of the current thread.
     *
     * @throws IllegalMonitorStateException if it holds none
     */
    public void releaseShared() {
        Thread me = Thread.currentThread();
        lockGuard();
        int[] holds = readHolds.get(me);
        if (holds == null) {
            unlockGuard();
            throw new IllegalMonitorStateException("read lock not held by " + me);
        }
        if (--holds[0] == 0) {
            readHolds.remove(me);
        }
        readers--;
        Waiter granted = readers == 0 ? grantWaiters() : null;
        unlockGuard();
        wake(granted, null);
    }

    /**
     * Releases one write hold of the current thread; the last one hands the lock on.
     *
     * @throws IllegalMonitorStateException if it does not hold the write lock
     */
    public void releaseExclusive() {
        Thread me = Thread.currentThread();
        lockGuard();
        if (writer != me) {
            unlockGuard();
            throw new IllegalMonitorStateException("write lock not held by " + me);
        }
        Waiter granted = null;
        if (--writeHolds == 0) {
            writer = null;
            granted = grantWaiters();
        }
        unlockGuard();
        wake(granted, null);
    }

    /** Releases every write hold of the current thread (for a condition wait); returns how many. */
    public int fullyReleaseExclusive() {
        Thread me = Thread.currentThread();
        lockGuard();
        if (writer != me) {
            unlockGuard();
            throw new IllegalMonitorStateException("write lock not held by " + me);
        }
        int saved = writeHolds;
        writeHolds = 0;
        writer = null;
        Waiter granted = grantWaiters();
        unlockGuard();
        wake(granted, null);
        return saved;
    }

    /** Restores the write holds after a condition wait. The current thread is the writer again. */
    public void restoreExclusive(int holds) {
        lockGuard();
        writeHolds = holds;
        unlockGuard();
    }

    /** The writer, or {@code null}: a snapshot. */
    public Thread writer() {
        return writer;
    }

    /** Read holds of all threads: a snapshot. */
    public int readers() {
        return readers;
    }

    /** The current thread's read holds. */
    public int readHoldsOfCurrentThread() {
        lockGuard();
        int[] holds = readHolds.get(Thread.currentThread());
        unlockGuard();
        return holds == null ? 0 : holds[0];
    }

    /** The current thread's write holds. */
    public int writeHoldsOfCurrentThread() {
        lockGuard();
        int n = writer == Thread.currentThread() ? writeHolds : 0;
        unlockGuard();
        return n;
    }
}
