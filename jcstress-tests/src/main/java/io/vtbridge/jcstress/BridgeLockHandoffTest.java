package io.vtbridge.jcstress;

import io.vtbridge.sync.ExclusiveSync;
import io.vtbridge.sync.Waiter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The hand-off of {@link ExclusiveSync} (the lock word and wait queue of {@code BridgeLock}) in
 * decision form: nobody parks on purpose, each side records what it saw.
 *
 * <p>The race under test is the unguarded release. An unlock that finds nobody queued frees the
 * lock with a volatile store of {@code owner} and no guard, then re-reads {@code head}; an arriving
 * waiter, under the guard, fails its grant, appends itself (a volatile write of {@code head}) and
 * re-tries the grant (a CAS of {@code owner}). One of the two must see the other: either the
 * arrival's re-check finds the lock free, or the unlock sees the waiter and grants it under the
 * guard. A miss on both sides is a waiter queued on a free lock with nobody left to wake it.
 *
 * <p>The locker uses the lock as {@code BridgeLock.tryLock()} and {@code unlock()} do:
 * {@code acquireExclusive(false, 0)} (no queueing), {@code setHolds(1)}, {@code release()}. It marks
 * its critical section with a volatile {@code inside} flag; the other side reads it right after it
 * was granted, so a grant while the locker is inside (two owners) is seen. {@code ShardLoop.current()}
 * is {@code null} on jcstress threads: the acquire takes its platform-thread path.
 *
 * <p>A grant unparks the granted thread. Here that is a jcstress worker that did not park for it,
 * so a permit may stay behind; as for {@link WakeupGateDecisionTest}, that only ends one later
 * {@code parkNanos} early, which nothing here relies on.
 */
public final class BridgeLockHandoffTest {

    private BridgeLockHandoffTest() {
    }

    /**
     * What {@code arrive} returns for a request granted at once: one shared instance (no allocation
     * on that path), captured here to tell "granted at once" from "queued, then granted by its own
     * re-check". Were that instance ever dropped, at-once grants would show up as {@code 2}, which is
     * acceptable too: only the outcome's label would be wrong, not the verdict.
     */
    static final Waiter GRANTED_AT_ONCE = new ExclusiveSync().arrive(false, 1, true);

    /**
     * A try-lock-and-unlock against a waiter's arrival. {@code r1}: the locker took the lock and
     * released it (1), found it taken (0), or lost ownership while inside (3: forbidden).
     * {@code r2}: the arrival was granted at once (1), queued and granted by its own re-check
     * before {@code arrive} returned (2), or left queued (0); -1 if it was granted while the locker
     * was inside. {@code r3} (arbiter): the waiter is granted. {@code r4} (arbiter): the owner is
     * nobody (0), the arriving thread (1), someone else (2).
     */
    @JCStressTest
    @Description("unguarded unlock vs arrive: the waiter is never left queued on a free lock, and never owns with the locker.")
    @Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE,
            desc = "The locker held the lock when the waiter arrived: it queued, and the unlock (seeing it, at once or on its re-read of head) granted it.")
    @Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE,
            desc = "The locker took and released the lock before the arrival, which was granted at once.")
    @Outcome(id = "0, 1, 1, 1", expect = ACCEPTABLE,
            desc = "The arrival came first and was granted at once; the locker's try found the lock taken.")
    @Outcome(id = "1, 2, 1, 1", expect = ACCEPTABLE_INTERESTING,
            desc = "Dekker window: the arrival's first grant failed, the unlock read head before the append and freed the lock; the arrival's re-check after the append took it.")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost waiter (queued, not granted, lock free or owned by nobody it knows), two owners at once, or the locker's try failing with nobody owning.")
    @State
    public static class UnlockRacesArrival {
        private final ExclusiveSync sync = new ExclusiveSync();
        private volatile int inside;   // 1 while the locker is in its critical section
        private Waiter waiter;         // the arrival's, for the arbiter
        private Thread arriver;        // the arrival's thread, for the arbiter

        @Actor
        public void locker(IIII_Result r) {
            try {
                if (sync.acquireExclusive(false, 0L)) {         // BridgeLock.tryLock()
                    sync.setHolds(1);
                    inside = 1;
                    boolean stillOwner = sync.owner() == Thread.currentThread();
                    inside = 0;
                    sync.release();                             // BridgeLock.unlock()
                    r.r1 = stillOwner ? 1 : 3;
                } else {
                    r.r1 = 0;
                }
            } catch (InterruptedException impossible) {
                r.r1 = -1; // not interruptible: cannot happen
            }
        }

        @Actor
        public void arrival(IIII_Result r) {
            arriver = Thread.currentThread();
            Waiter w = sync.arrive(false, 1, true);             // the non-waiting half of lock()
            waiter = w;
            if (w.isGranted()) {
                boolean alone = inside == 0;                    // granted: the locker must be out
                r.r2 = !alone ? -1 : w == GRANTED_AT_ONCE ? 1 : 2;
            } else {
                r.r2 = 0;
            }
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r3 = waiter.isGranted() ? 1 : 0;
            Thread owner = sync.owner();
            r.r4 = owner == null ? 0 : owner == arriver ? 1 : 2;
        }
    }

    /**
     * A timed waiter whose deadline has passed (1 ns) withdraws ({@code cancel}, under the guard)
     * while the locker's unlock grants it (under the guard, or unguarded and then under the guard on
     * the re-read of head). Exactly one of the two wins: a granted waiter owns the lock and its
     * acquire returns {@code true}; a withdrawn one returns {@code false} and is out of the queue.
     * A winner on each side would leave the lock owned by a thread that believes it failed, or a
     * cancelled waiter in the queue.
     *
     * <p>{@code r1}: the locker took the lock and saw the waiter queued while holding it (2), saw
     * nobody queued (1), found the lock taken (0), or lost ownership while inside (3: forbidden).
     * {@code r2}: the waiter's {@code acquireExclusive(false, 1 ns)} returned {@code true} (1, after
     * which it checks that the locker is out and unlocks) or {@code false} (0); -1 if it got the lock
     * while the locker was inside. {@code r3} (arbiter): 0 if the lock is free and nobody is queued;
     * +1 if still owned, +10 if someone is still queued.
     */
    @JCStressTest
    @Description("timed-out waiter's withdrawal vs the unlock's grant: one winner, no lock left owned, no dead waiter left queued.")
    @Outcome(id = "2, 1, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "The waiter was queued while the locker held the lock; the unlock granted it before it withdrew: it returns true, owning the lock, past its deadline.")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE,
            desc = "The waiter was queued while the locker held the lock; it withdrew first (deadline passed); the unlock found nobody to grant.")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE,
            desc = "The locker saw nobody queued; the waiter arrived after the unlock (granted at once), or queued just after the locker's look and was granted by the unlock.")
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE,
            desc = "The locker saw nobody queued; the waiter queued just after that look and withdrew before the unlock reached it.")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE,
            desc = "The waiter came first and was granted at once; the locker's try found the lock taken.")
    @Outcome(expect = FORBIDDEN,
            desc = "Both won (lock owned by a waiter that returned false), a cancelled waiter left queued, two owners at once, or both failed.")
    @State
    public static class TimeoutRacesRelease {
        private final ExclusiveSync sync = new ExclusiveSync();
        private volatile int inside;   // 1 while the locker is in its critical section

        @Actor
        public void locker(III_Result r) {
            try {
                if (sync.acquireExclusive(false, 0L)) {         // BridgeLock.tryLock()
                    sync.setHolds(1);
                    inside = 1;
                    boolean someoneQueued = sync.hasQueuedThreads();
                    boolean stillOwner = sync.owner() == Thread.currentThread();
                    inside = 0;
                    sync.release();                             // BridgeLock.unlock()
                    r.r1 = !stillOwner ? 3 : someoneQueued ? 2 : 1;
                } else {
                    r.r1 = 0;
                }
            } catch (InterruptedException impossible) {
                r.r1 = -1;
            }
        }

        @Actor
        public void timedWaiter(III_Result r) {
            try {
                // BridgeLock.tryLock(1, NANOSECONDS) on a platform thread: queue, find the deadline
                // passed (or park for at most 1 ns first), withdraw unless granted meanwhile.
                if (sync.acquireExclusive(false, 1L)) {
                    boolean alone = inside == 0;
                    sync.setHolds(1);
                    sync.release();
                    r.r2 = alone ? 1 : -1;
                } else {
                    r.r2 = 0;
                }
            } catch (InterruptedException impossible) {
                r.r2 = -2;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = (sync.owner() == null ? 0 : 1) + (sync.hasQueuedThreads() ? 10 : 0);
        }
    }
}
