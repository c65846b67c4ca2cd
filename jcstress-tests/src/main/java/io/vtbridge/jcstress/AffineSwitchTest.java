package io.vtbridge.jcstress;

import io.vtbridge.BridgeSemaphore;
import io.vtbridge.sync.ExclusiveSync;
import io.vtbridge.sync.QueuedSync;
import io.vtbridge.sync.Waiter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The switch of a shard-affine sync ({@code BridgeLock.shardAffine()},
 * {@code BridgeSemaphore.shardAffine(n)}) to the shared mode, raced against a home thread that is
 * using it in the affine form (plain writes, the guard without its CAS): {@code ShardAffinity}'s
 * Dekker pair.
 *
 * <p><b>The home thread.</b> In production the home is the carrier of a shard's loop; a sync binds
 * to it on its first use from a bridged thread. jcstress actors are platform threads, and for a
 * platform thread "its carrier" is itself, so the {@code home} actor is made the home by binding
 * each new sync to it ({@code QueuedSync.bindHome}). The state cannot know that thread when it is
 * built (jcstress builds states on whichever actor thread reaches the epoch's end), so the
 * {@code home} actor publishes itself in {@link #HOME} and states bind to the last one published. The
 * first states of an iteration bind to a thread that is no actor any more (jcstress starts fresh
 * threads per iteration): then both actors are foreign and the sync is shared from its first use.
 * {@code r1} tells the two apart (1: the home actor was the home).
 *
 * <p>The other actor is foreign: it does what any thread of another shard or a platform thread
 * does, i.e. switches the sync before it uses it. It uses {@code arrive} (the non-waiting half of an
 * acquire) so that it never parks; a request that does not fit stays queued, and the arbiter checks
 * that somebody granted it.
 */
public final class AffineSwitchTest {

    private AffineSwitchTest() {
    }

    /** The thread that runs the {@code home} actors now; see the class comment. */
    static volatile Thread HOME;

    static void publishHome() {
        Thread me = Thread.currentThread();
        if (HOME != me) {
            HOME = me;
        }
    }

    /**
     * A home lock-and-unlock (as {@code BridgeLock.tryLock()} and {@code unlock()}) against a foreign
     * arrival that switches the lock. {@code r1}: the home actor was the home. {@code r2}: the home
     * took the lock and released it (1), or found it taken (0), or lost it while inside (3). {@code r3}:
     * the foreign arrival was granted at once (1), queued (0), or granted while the home was inside
     * (-1). {@code r4} (arbiter): the foreign thread owns the lock (1), the lock is in the shared mode
     * (+2), the foreign waiter was granted (+4).
     */
    @JCStressTest
    @Description("affine lock vs a foreign arrival: one owner at a time, the waiter is never left queued on a free lock, the lock ends shared.")
    @Outcome(id = "1, 1, 1, 7", expect = ACCEPTABLE,
            desc = "Home first: took and released the lock in the affine form; the foreign arrival then switched the lock and was granted at once.")
    @Outcome(id = "1, 1, 0, 7", expect = ACCEPTABLE_INTERESTING,
            desc = "The foreign arrival switched the lock and queued while the home held it; the home's release (in the shared form, or under the guard after the switch) granted it.")
    @Outcome(id = "1, 0, 1, 7", expect = ACCEPTABLE,
            desc = "The foreign arrival switched and took the lock first; the home's try found it taken.")
    @Outcome(id = "0, 1, 1, 7", expect = ACCEPTABLE,
            desc = "Not bound to the home actor (an iteration's first states): both foreign, the lock shared from its first use; home first.")
    @Outcome(id = "0, 1, 0, 7", expect = ACCEPTABLE,
            desc = "Not bound to the home actor: the arrival queued behind the home's hold and its release granted it.")
    @Outcome(id = "0, 0, 1, 7", expect = ACCEPTABLE,
            desc = "Not bound to the home actor: the arrival took the lock first.")
    @Outcome(expect = FORBIDDEN,
            desc = "Two owners at once, a waiter left queued on a free lock (a lost wake-up), or a sync still affine after a foreign use.")
    @State
    public static class LockSwitch {
        private final ExclusiveSync sync = new ExclusiveSync(true);
        private final Thread home = HOME;
        private volatile int inside;  // 1 while the home actor is in its critical section
        private Waiter waiter;        // the foreign arrival's, for the arbiter
        private Thread foreign;       // the foreign actor's thread, for the arbiter

        public LockSwitch() {
            if (home != null) {
                sync.bindHome(home);
            }
        }

        @Actor
        public void home(IIII_Result r) {
            publishHome();
            r.r1 = Thread.currentThread() == home ? 1 : 0;
            boolean took;
            try {
                took = sync.acquireExclusive(false, 0L); // tryLock(): no queueing
            } catch (InterruptedException impossible) {
                throw new AssertionError(impossible);
            }
            if (!took) {
                r.r2 = 0;
                return;
            }
            sync.setHolds(1);
            inside = 1;
            boolean stillMine = sync.owner() == Thread.currentThread();
            inside = 0;
            sync.release();
            r.r2 = stillMine ? 1 : 3;
        }

        @Actor
        public void foreign(IIII_Result r) {
            foreign = Thread.currentThread();
            Waiter w = sync.arrive(false, 1, true);
            waiter = w;
            if (w.isGranted()) {
                r.r3 = inside == 1 ? -1 : 1;
            } else {
                r.r3 = 0;
            }
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r4 = (sync.owner() == foreign ? 1 : 0) + (sync.isShardAffine() ? 0 : 2) + (waiter.isGranted() ? 4 : 0);
        }
    }

    /**
     * A home acquire-and-release of one permit against a foreign {@code acquire(1)} that switches the
     * semaphore; one permit. {@code r1}: the home actor was the home. {@code r2}: the home took the
     * permit and gave it back (1) or found none (0). {@code r3}: the foreign request was granted at
     * once (1) or queued (0). {@code r4} (arbiter): permits left plus permits the foreign side holds
     * (must be 1: none created, none lost), +2 if the semaphore is shared, +4 if the foreign request
     * was granted.
     */
    @JCStressTest
    @Description("affine semaphore vs a foreign acquire: no permit created or lost, no lost wake-up, the semaphore ends shared.")
    @Outcome(id = "1, 1, 1, 7", expect = ACCEPTABLE,
            desc = "Home took and returned the permit in the affine form; the foreign acquire switched the semaphore and took the permit.")
    @Outcome(id = "1, 1, 0, 7", expect = ACCEPTABLE_INTERESTING,
            desc = "The foreign acquire switched and queued while the home held the permit; the home's release granted it.")
    @Outcome(id = "1, 0, 1, 7", expect = ACCEPTABLE,
            desc = "The foreign acquire switched and took the permit first; the home's try found none.")
    @Outcome(id = "0, 1, 1, 7", expect = ACCEPTABLE,
            desc = "Not bound to the home actor: shared from the first use; home first.")
    @Outcome(id = "0, 1, 0, 7", expect = ACCEPTABLE,
            desc = "Not bound to the home actor: the foreign request queued behind the home's permit and its release granted it.")
    @Outcome(id = "0, 0, 1, 7", expect = ACCEPTABLE,
            desc = "Not bound to the home actor: the foreign acquire took the permit first.")
    @Outcome(expect = FORBIDDEN,
            desc = "A permit created or lost, a request left queued with the permit free, or a semaphore still affine after a foreign use.")
    @State
    public static class SemaphoreSwitch {
        private final BridgeSemaphore semaphore = BridgeSemaphore.shardAffine(1);
        private final QueuedSync sync = SemaphoreGrantTest.syncOf(semaphore);
        private final Thread home = HOME;
        private Waiter waiter; // the foreign request's, for the arbiter

        public SemaphoreSwitch() {
            if (home != null) {
                sync.bindHome(home);
            }
        }

        @Actor
        public void home(IIII_Result r) {
            publishHome();
            r.r1 = Thread.currentThread() == home ? 1 : 0;
            if (semaphore.tryAcquire()) {
                semaphore.release();
                r.r2 = 1;
            } else {
                r.r2 = 0;
            }
        }

        @Actor
        public void foreign(IIII_Result r) {
            Waiter w = sync.arrive(false, 1, true);
            waiter = w;
            r.r3 = w.isGranted() ? 1 : 0;
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            int held = waiter.isGranted() ? 1 : 0;
            r.r4 = (semaphore.availablePermits() + held) + (semaphore.isShardAffine() ? 0 : 2) + (held == 1 ? 4 : 0);
        }
    }
}
