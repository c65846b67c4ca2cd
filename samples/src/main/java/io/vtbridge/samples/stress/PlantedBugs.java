package io.vtbridge.samples.stress;

import io.vtbridge.BridgeLock;
import io.vtbridge.BridgeReadWriteLock;
import io.vtbridge.BridgeSemaphore;
import io.vtbridge.stress.Schedule;
import io.vtbridge.stress.StressContext;
import io.vtbridge.stress.StressScenario;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * Concurrency bugs of the kinds legacy code has, each a two-thread scenario with its invariant
 * (Ganeti masterd's job queue gave the last two their shape). Every scenario builds fresh state, so
 * one instance serves any number of schedules. They use the bridge's primitives, which are
 * scheduling points, and run unchanged on platform threads (the comparison harness does that).
 */
public final class PlantedBugs {

    private PlantedBugs() {
    }

    /** A named scenario and the outcome its bug produces. */
    public record Bug(String name, Schedule.Outcome symptom, StressScenario scenario) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** All five. */
    public static List<Bug> all() {
        return List.of(
                new Bug("lost update across a lock release", Schedule.Outcome.FAILED, PlantedBugs::lostUpdate),
                new Bug("check-then-act under a read lock", Schedule.Outcome.FAILED, PlantedBugs::checkThenAct),
                new Bug("lost condition signal", Schedule.Outcome.FAILED, PlantedBugs::lostSignal),
                new Bug("lock-order deadlock", Schedule.Outcome.DEADLOCK, PlantedBugs::lockOrder),
                new Bug("job-queue wait that misses a change", Schedule.Outcome.FAILED, PlantedBugs::missedJobChange));
    }

    /** Read under the lock, release, write under the lock again: the other thread's update is lost. */
    public static void lostUpdate(StressContext ctx) throws Exception {
        BridgeLock lock = new BridgeLock();
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

    /** A cache filled on a miss seen under the read lock, without re-checking under the write lock. */
    public static void checkThenAct(StressContext ctx) throws Exception {
        BridgeReadWriteLock rw = new BridgeReadWriteLock();
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

    /** The waiter tests the flag outside the lock, then waits: a signal sent in between is lost. */
    public static void lostSignal(StressContext ctx) throws Exception {
        BridgeLock lock = new BridgeLock();
        Condition ready = lock.newCondition();
        boolean[] flag = {false};
        boolean[] timedOut = {false};
        Thread waiter = ctx.fork("waiter", () -> {
            if (!flag[0]) {
                lock.lock();
                try {
                    timedOut[0] = !ready.await(10, TimeUnit.SECONDS);
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
        check(!timedOut[0], "lost signal: the waiter waited its whole 10 s time-out for a signal sent before it waited");
    }

    /** Two locks taken in opposite orders. */
    public static void lockOrder(StressContext ctx) throws Exception {
        BridgeLock first = new BridgeLock();
        BridgeLock second = new BridgeLock();
        Thread a = ctx.fork("a", () -> both(first, second));
        Thread b = ctx.fork("b", () -> both(second, first));
        a.join();
        b.join();
    }

    private static void both(BridgeLock outer, BridgeLock inner) {
        outer.lock();
        try {
            inner.lock();
            inner.unlock();
        } finally {
            outer.unlock();
        }
    }

    /**
     * A job-queue client reads a job's version, then registers for changes: an update between the two
     * is never reported to it, and it waits its whole time-out (Ganeti's "wait for job change").
     */
    public static void missedJobChange(StressContext ctx) throws Exception {
        BridgeLock jobLock = new BridgeLock();
        int[] version = {1};
        List<BridgeSemaphore> listeners = new ArrayList<>();
        boolean[] missed = {false};
        Thread client = ctx.fork("client", () -> {
            int seen;
            jobLock.lock();
            try {
                seen = version[0];
            } finally {
                jobLock.unlock();
            }
            BridgeSemaphore changed = new BridgeSemaphore(0);
            jobLock.lock();
            try {
                listeners.add(changed);
            } finally {
                jobLock.unlock();
            }
            missed[0] = !changed.tryAcquire(10, TimeUnit.SECONDS) && seen == 1;
        });
        Thread job = ctx.fork("job", () -> {
            jobLock.lock();
            try {
                version[0]++;
                for (BridgeSemaphore l : listeners) {
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
