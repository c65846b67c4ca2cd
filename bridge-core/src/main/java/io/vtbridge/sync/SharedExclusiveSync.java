package io.vtbridge.sync;

import io.vtbridge.internal.StressHook;

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
    private Thread firstReader;                                          // guarded: the first thread to take the read lock when it had none, without a map entry
    private int firstReaderHolds;                                        // guarded: its read holds
    private final IdentityHashMap<Thread, int[]> readHolds = new IdentityHashMap<>(); // guarded: every other reader thread

    /** The writer, or {@code null}: a snapshot, for reports. */
    public Thread writerSnapshot() {
        return writer;
    }

    /** How many read holds there are: a snapshot, for reports. */
    public int readHoldsSnapshot() {
        return readers;
    }

    /**
     * Acquires the read lock for the current thread.
     *
     * @throws Error "Maximum lock count exceeded" if it is held {@link Integer#MAX_VALUE} times
     *               already (all threads' holds together), as {@code ReentrantReadWriteLock} refuses
     *               at its maximum
     */
    public boolean acquireShared(boolean interruptible, long timeoutNanos) throws InterruptedException {
        return acquire(true, 1, interruptible, timeoutNanos);
    }

    /**
     * A read request is refused when one more hold would wrap the count of all threads' holds (a
     * thread's own holds are part of it, so they cannot wrap first), as {@code ReentrantReadWriteLock}
     * refuses at its maximum. {@link #tryGrant} also never wraps it, for a queued request granted later.
     */
    @Override
    protected Error refusal(Thread thread, boolean shared) {
        return shared && readers == Integer.MAX_VALUE ? maximumExceeded() : null;
    }

    private static Error maximumExceeded() {
        return new Error("Maximum lock count exceeded");
    }

    /**
     * Acquires the write lock for the current thread.
     *
     * @throws IllegalStateException if the current thread holds the read lock and the call would
     *                               wait without a timeout (an upgrade would wait for itself forever);
     *                               a try ({@code timeoutNanos >= 0}) returns {@code false} instead
     */
    public boolean acquireExclusive(boolean interruptible, long timeoutNanos) throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException(); // first, as ReentrantReadWriteLock does: also for a re-entrant call
        }
        Thread me = Thread.currentThread();
        lockGuard();
        boolean reentrant = writer == me;
        if (reentrant) {
            if (writeHolds == Integer.MAX_VALUE) {
                unlockGuard();
                throw maximumExceeded();
            }
            writeHolds++;
        }
        boolean reading = !reentrant && holdsRead(me);
        unlockGuard();
        if (reentrant) {
            return true;
        }
        if (reading) {
            if (timeoutNanos >= 0) {
                return false; // a try, timed or not, fails as ReentrantReadWriteLock's does
            }
            throw new IllegalStateException(me + " holds the read lock: upgrading to the write lock would deadlock");
        }
        return acquire(false, 1, interruptible, timeoutNanos);
    }

    @Override
    protected boolean mayBarge(Thread thread, boolean shared) {
        return shared && (writer == thread || holdsRead(thread));
    }

    @Override
    protected boolean tryGrant(Thread thread, boolean shared, int arg) {
        Thread w = writer;
        if (shared) {
            if ((w != null && w != thread) || readers == Integer.MAX_VALUE) {
                return false;
            }
            readers++;
            if (thread == firstReader) {
                firstReaderHolds++;
            } else if (firstReader == null && (readHolds.isEmpty() || !readHolds.containsKey(thread))) {
                // A thread that holds the read lock through the map already keeps counting there:
                // its holds in two places would make its hold count read low.
                firstReader = thread; // the common case (one reader at a time) allocates nothing
                firstReaderHolds = 1;
            } else {
                int[] holds = readHolds.get(thread);
                if (holds == null) {
                    readHolds.put(thread, new int[] {1});
                } else {
                    holds[0]++;
                }
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

    /** Under the guard: whether {@code thread} holds the read lock. */
    private boolean holdsRead(Thread thread) {
        return thread == firstReader || readHolds.containsKey(thread);
    }

    /**
     * Releases one read hold of the current thread.
     *
     * @throws IllegalMonitorStateException if it holds none
     */
    public void releaseShared() {
        Thread me = Thread.currentThread();
        lockGuard();
        if (me == firstReader) {
            if (--firstReaderHolds == 0) {
                firstReader = null;
            }
        } else {
            int[] holds = readHolds.get(me);
            if (holds == null) {
                unlockGuard();
                throw new IllegalMonitorStateException("read lock not held by " + me);
            }
            if (--holds[0] == 0) {
                readHolds.remove(me);
            }
        }
        readers--;
        Waiter granted = readers == 0 ? grantWaiters() : null;
        unlockGuard();
        wake(granted, null);
        StressHook.point("UNLOCK", this);
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
        boolean released = --writeHolds == 0;
        if (released) {
            writer = null;
            granted = grantWaiters();
        }
        unlockGuard();
        wake(granted, null);
        if (released) {
            StressHook.point("UNLOCK", this);
        }
    }

    /** Releases every write hold of the current thread (for a condition wait); returns how many. */
    public int fullyReleaseExclusive() {
        Thread me = Thread.currentThread();
        lockGuard();
        if (writer != me) {
            unlockGuard();
            throw new IllegalMonitorStateException("write lock not held by " + me);
        }
        if (holdsRead(me)) {
            unlockGuard();
            throw new IllegalMonitorStateException(me + " also holds the read lock: waiting on a condition of the"
                    + " write lock would keep it, and no writer, itself included, could get back in");
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
        Thread me = Thread.currentThread();
        lockGuard();
        int n;
        if (me == firstReader) {
            n = firstReaderHolds;
        } else {
            int[] holds = readHolds.get(me);
            n = holds == null ? 0 : holds[0];
        }
        unlockGuard();
        return n;
    }

    /** The current thread's write holds. */
    public int writeHoldsOfCurrentThread() {
        lockGuard();
        int n = writer == Thread.currentThread() ? writeHolds : 0;
        unlockGuard();
        return n;
    }
}
