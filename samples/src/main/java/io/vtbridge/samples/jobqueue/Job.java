package io.vtbridge.samples.jobqueue;

import io.vtbridge.BridgeLock;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;

/**
 * One job: its state, a version that grows by one with every change, and the lock and condition its
 * waiters wait on. Each job has its own {@link BridgeLock} (Ganeti 2.2's fix: per-job locks instead
 * of the one queue lock), so a change to one job wakes that job's waiters and touches no other lock.
 * A waiter in bridged code is a suspended virtual thread: it holds no platform thread while it waits.
 *
 * <p><b>Threading:</b> thread-safe. {@link #publish}, {@link #cancel} and {@link #awaitChange} may be
 * called from any thread, bridged or not; from a plain platform thread a wait blocks that thread
 * (which is what exhausts a fixed pool). Lock order: the store's read-write lock, then a job's lock.
 */
final class Job {

    /** What a client sees of a job at one version. */
    record Snapshot(long id, JobState state, long version, int opsDone, int ops) {

        /** One line of the job list: {@code id state version opsDone/ops}. */
        String line() {
            return id + " " + state + " " + version + " " + opsDone + "/" + ops;
        }
    }

    private final long id;
    private final int ops;
    private final long opMillis;
    private final AtomicInteger waiting;                 // shared by the store's jobs: waiters parked in awaitChange
    private final BridgeLock lock = new BridgeLock();
    private final Condition changed = lock.newCondition();
    private JobState state = JobState.QUEUED;           // guarded by lock
    private long version = 1;                           // guarded by lock; grows by one with each change
    private int opsDone;                                // guarded by lock
    private Future<?> run;                              // guarded by lock; set once the runner accepted the job

    /**
     * @param waiting the counter of parked waiters this job adds to while a waiter waits
     */
    Job(long id, int ops, long opMillis, AtomicInteger waiting) {
        this.id = id;
        this.ops = ops;
        this.opMillis = opMillis;
        this.waiting = waiting;
    }

    long id() {
        return id;
    }

    int ops() {
        return ops;
    }

    long opMillis() {
        return opMillis;
    }

    /** The job as it is now. */
    Snapshot snapshot() {
        lock.lock();
        try {
            return snapshotLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the job to {@code next} with {@code done} operations finished, as a new version, and wakes
     * every waiter. Does nothing to a job in a final state (a cancelled job's runner may still report).
     *
     * @return whether the change was made
     */
    boolean publish(JobState next, int done) {
        lock.lock();
        try {
            if (state.isFinal()) {
                return false;
            }
            state = next;
            opsDone = done;
            version++;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Remembers the runner's future, for {@link #cancel}; a job cancelled already is stopped at once. */
    void started(Future<?> future) {
        boolean stop;
        lock.lock();
        try {
            run = future;
            stop = state.isFinal();
        } finally {
            lock.unlock();
        }
        if (stop) {
            future.cancel(true);
        }
    }

    /**
     * Cancels the job: a change to {@link JobState#CANCELED} (waking every waiter), then an interrupt
     * of its runner, if it has one.
     *
     * @return the job after the change, or null if it had finished already
     */
    Snapshot cancel() {
        Snapshot after;
        Future<?> runner;
        lock.lock();
        try {
            if (state.isFinal()) {
                return null;
            }
            state = JobState.CANCELED;
            version++;
            changed.signalAll();
            after = snapshotLocked();
            runner = run;
        } finally {
            lock.unlock();
        }
        if (runner != null) {
            runner.cancel(true);
        }
        return after;
    }

    /**
     * Waits until the job's version exceeds {@code since} (Ganeti's {@code WaitForJobChanges}), or
     * {@code timeoutNanos} pass.
     *
     * @return the job at its new version, or null when the time ran out first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Snapshot awaitChange(long since, long timeoutNanos) throws InterruptedException {
        long nanos = timeoutNanos;
        lock.lock();
        try {
            if (version > since) {
                return snapshotLocked();
            }
            waiting.incrementAndGet();
            try {
                while (version <= since) {
                    if (nanos <= 0) {
                        return null;
                    }
                    nanos = changed.awaitNanos(nanos);
                }
            } finally {
                waiting.decrementAndGet();
            }
            return snapshotLocked();
        } finally {
            lock.unlock();
        }
    }

    private Snapshot snapshotLocked() {
        return new Snapshot(id, state, version, opsDone, ops);
    }
}
