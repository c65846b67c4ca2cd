package io.vtbridge.fray;

import io.vtbridge.stress.StressContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The five planted bugs of {@code io.vtbridge.samples.stress.PlantedBugs}, moved onto
 * {@code java.util.concurrent}: {@code BridgeLock} becomes {@link ReentrantLock} (its condition a
 * {@link Condition}), {@code BridgeReadWriteLock} {@link ReentrantReadWriteLock}, {@code BridgeSemaphore}
 * {@link Semaphore}. Threads, steps and invariants are the originals', line for line, except the
 * time-out checks of bugs 3 and 5 (below). Why ports: the bridge's own primitives do not run under
 * Fray (README.md; {@link BridgePrimitivesProbe} shows both failures).
 *
 * <p><b>Bugs 3 and 5: the exact condition.</b> Fray (default {@code ignoreTimedBlock = true}) may end a
 * timed wait at once, before the thread that would signal it has run: a legal schedule of a timed wait,
 * not the bug. So "the wait timed out" is not the check. Bug 3 is a waiter that began waiting after the
 * signal was sent: the flag read under the lock just before {@code await}. Bug 5 is a client whose
 * registration came after the update to the version it had read: the version read again under the lock
 * at registration. Both reads are observation only; the threads wait regardless, as the originals do.
 */
final class PortedBugs {

    private PortedBugs() {
    }

    /** Bug 1: read under the lock, release, write under the lock again. */
    static void lostUpdate(StressContext ctx) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        int[] counter = {0};
        StressContext.Task increment = () -> {
            int seen;
            lock.lock();
            try {
                seen = counter[0];
            } finally {
                lock.unlock();
            }
            lock.lock();
            try {
                counter[0] = seen + 1;
            } finally {
                lock.unlock();
            }
        };
        Thread a = ctx.fork("a", increment);
        Thread b = ctx.fork("b", increment);
        a.join();
        b.join();
        check(counter[0] == 2, "lost update: counter is " + counter[0] + ", expected 2");
    }

    /** Bug 2: a cache filled on a miss seen under the read lock, without re-checking under the write lock. */
    static void checkThenAct(StressContext ctx) throws Exception {
        ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        Map<String, Object> cache = new HashMap<>();
        int[] created = {0};
        StressContext.Task lookup = () -> {
            boolean missing;
            rw.readLock().lock();
            try {
                missing = !cache.containsKey("k");
            } finally {
                rw.readLock().unlock();
            }
            if (missing) {
                rw.writeLock().lock();
                try {
                    cache.put("k", new Object());
                    created[0]++;
                } finally {
                    rw.writeLock().unlock();
                }
            }
        };
        Thread a = ctx.fork("a", lookup);
        Thread b = ctx.fork("b", lookup);
        a.join();
        b.join();
        check(created[0] == 1, "check-then-act: the value was created " + created[0] + " times, expected once");
    }

    /** Bug 3: the waiter tests the flag outside the lock, then waits: a signal sent in between is lost. */
    static void lostSignal(StressContext ctx) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Condition ready = lock.newCondition();
        boolean[] flag = {false};
        boolean[] lost = {false};
        Thread waiter = ctx.fork("waiter", () -> {
            if (!flag[0]) {
                lock.lock();
                try {
                    boolean sentBeforeWait = flag[0]; // observation only
                    boolean timedOut = !ready.await(10, TimeUnit.SECONDS);
                    lost[0] = timedOut && sentBeforeWait;
                } finally {
                    lock.unlock();
                }
            }
        });
        Thread signaller = ctx.fork("signaller", () -> {
            lock.lock();
            try {
                flag[0] = true;
                ready.signalAll();
            } finally {
                lock.unlock();
            }
        });
        waiter.join();
        signaller.join();
        check(!lost[0], "lost signal: the waiter waited its whole 10 s time-out for a signal sent before it waited");
    }

    /** Bug 4: two locks taken in opposite orders (Fray reports the deadlock). */
    static void lockOrder(StressContext ctx) throws Exception {
        ReentrantLock first = new ReentrantLock();
        ReentrantLock second = new ReentrantLock();
        Thread a = ctx.fork("a", () -> both(first, second));
        Thread b = ctx.fork("b", () -> both(second, first));
        a.join();
        b.join();
    }

    private static void both(ReentrantLock outer, ReentrantLock inner) {
        outer.lock();
        try {
            inner.lock();
            inner.unlock();
        } finally {
            outer.unlock();
        }
    }

    /** Bug 5: the client reads the job's version, then registers for changes; an update in between is never told. */
    static void missedJobChange(StressContext ctx) throws Exception {
        ReentrantLock jobLock = new ReentrantLock();
        int[] version = {1};
        List<Semaphore> listeners = new ArrayList<>();
        boolean[] missed = {false};
        Thread client = ctx.fork("client", () -> {
            int seen;
            jobLock.lock();
            try {
                seen = version[0];
            } finally {
                jobLock.unlock();
            }
            Semaphore changed = new Semaphore(0);
            boolean changedBeforeRegistration;
            jobLock.lock();
            try {
                changedBeforeRegistration = version[0] != seen; // observation only
                listeners.add(changed);
            } finally {
                jobLock.unlock();
            }
            missed[0] = !changed.tryAcquire(10, TimeUnit.SECONDS) && changedBeforeRegistration;
        });
        Thread job = ctx.fork("job", () -> {
            jobLock.lock();
            try {
                version[0]++;
                for (Semaphore l : listeners) {
                    l.release();
                }
                listeners.clear();
            } finally {
                jobLock.unlock();
            }
        });
        client.join();
        job.join();
        check(!missed[0], "missed job change: the client saw version 1, the job moved to " + version[0]
                + ", and the client was never told");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
