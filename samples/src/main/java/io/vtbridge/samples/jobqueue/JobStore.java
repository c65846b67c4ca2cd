package io.vtbridge.samples.jobqueue;

import io.vtbridge.BridgeReadWriteLock;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The job list, under one {@link BridgeReadWriteLock}: listing and lookups take the read lock and run
 * side by side, a submission takes the write lock (Ganeti 2.2's shared/exclusive job-queue lock).
 * Waiting for a job takes no lock of the list at all: only the job's own ({@link Job}).
 *
 * <p>Bounded: at most {@code capacity} jobs. A submission to a full list first drops the oldest
 * finished job (Ganeti archives them); with no finished job to drop it is refused.
 *
 * <p><b>Threading:</b> thread-safe; every method may be called from any thread, bridged or not.
 */
final class JobStore {

    private final int capacity;
    private final BridgeReadWriteLock lock = new BridgeReadWriteLock();
    private final Map<Long, Job> jobs = new LinkedHashMap<>();   // guarded by lock; in submission order
    private final AtomicInteger waiting = new AtomicInteger();   // waiters parked in any job's awaitChange
    private long lastId;                                         // guarded by lock's write half

    /**
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    JobStore(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Adds a new job of {@code ops} operations of {@code opMillis} each, in state QUEUED.
     *
     * @return the job, or null when the list is full of unfinished jobs
     */
    Job submit(int ops, long opMillis) {
        lock.writeLock().lock();
        try {
            if (jobs.size() >= capacity && !archiveOldestFinished()) {
                return null;
            }
            Job job = new Job(++lastId, ops, opMillis, waiting);
            jobs.put(job.id(), job);
            return job;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The job with {@code id}, or null. */
    Job get(long id) {
        lock.readLock().lock();
        try {
            return jobs.get(id);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Every job as it is now, in submission order. */
    List<Job.Snapshot> list() {
        lock.readLock().lock();
        try {
            List<Job.Snapshot> all = new ArrayList<>(jobs.size());
            for (Job job : jobs.values()) {
                all.add(job.snapshot());
            }
            return all;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Waiters parked in {@link Job#awaitChange} right now, over all jobs: a snapshot. */
    int waiting() {
        return waiting.get();
    }

    /** Drops the oldest finished job; the caller holds the write lock. */
    private boolean archiveOldestFinished() {
        Iterator<Job> it = jobs.values().iterator();
        while (it.hasNext()) {
            if (it.next().snapshot().state().isFinal()) {
                it.remove();
                return true;
            }
        }
        return false;
    }
}
