package io.vtbridge.jcstress;

import io.vtbridge.BridgeSemaphore;
import io.vtbridge.sync.QueuedSync;
import io.vtbridge.sync.Waiter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.reflect.Field;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link BridgeSemaphore}'s grants in decision form: all-or-nothing {@code acquire(n)}, FIFO (no
 * barging past a queued request), no lost wake-up, and no permit created or lost.
 *
 * <p>A waiting {@code acquire(n)} would park, so the waiting side uses the non-waiting half of it:
 * {@link QueuedSync#arrive(boolean, int, boolean) arrive(false, n, true)} on the semaphore's
 * private {@code sync} (a {@code QueuedSync}; reached once by reflection, then called directly),
 * which grants at once or queues a waiter that a later {@code release} grants. Everything else is
 * the public API. Every change of {@code permits} happens under the queue's guard.
 */
public final class SemaphoreGrantTest {

    private SemaphoreGrantTest() {
    }

    private static final Field SYNC;

    static {
        try {
            SYNC = BridgeSemaphore.class.getDeclaredField("sync");
            SYNC.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static QueuedSync syncOf(BridgeSemaphore semaphore) {
        try {
            return (QueuedSync) SYNC.get(semaphore);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    /** What {@code arrive} returns for a request granted at once (one shared instance). */
    static final Waiter GRANTED_AT_ONCE = syncOf(new BridgeSemaphore(1)).arrive(false, 1, true);

    /**
     * One permit; an {@code acquire(2)} arrives while {@code release(1)} runs. The request fits
     * only after the release: granted at once if the release came first, otherwise queued and
     * granted by the release. Taking the one permit early (not all-or-nothing), or a release that
     * misses the waiter (a lost wake-up: queued with 2 permits free), shows in the arbiter.
     *
     * <p>{@code r1}: the acquire was granted at once (1), queued and already granted when it looked
     * at its status right after {@code arrive} returned (2), or still queued then (0).
     * Arbiter: {@code r2} the waiter is granted, {@code r3} the permits available, plus 10 if
     * someone is still queued. Conservation: 1 + 1 released = 2 taken by the granted acquire +
     * {@code r3}, so the only correct end state is {@code 1, 0}.
     */
    @JCStressTest
    @Description("release(1) vs acquire(2) with 1 permit: all-or-nothing, no lost wake-up, no permit created or lost.")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE,
            desc = "The release came first (2 permits): the acquire was granted at once and took both.")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE,
            desc = "The acquire came first: 1 permit does not fit 2, so it queued, taking nothing; the release granted it both.")
    @Outcome(id = "2, 1, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "The acquire queued; the release granted it after arrive returned but before the acquirer looked at its status (the re-check inside arrive cannot succeed here: the release runs under the guard).")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost wake-up (still queued with 2 permits free: 0, 0, 12), a partial grant, permits created or lost, or a granted waiter left in the queue.")
    @State
    public static class ReleaseRacesAcquireN {
        private final BridgeSemaphore semaphore = new BridgeSemaphore(1);
        private final QueuedSync sync = syncOf(semaphore);
        private Waiter waiter;

        @Actor
        public void releaser() {
            semaphore.release(1);
        }

        @Actor
        public void acquirer(III_Result r) {
            Waiter w = sync.arrive(false, 2, true);             // the non-waiting half of acquire(2)
            waiter = w;
            r.r1 = !w.isGranted() ? 0 : w == GRANTED_AT_ONCE ? 1 : 2;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r2 = waiter.isGranted() ? 1 : 0;
            r.r3 = semaphore.availablePermits() + (semaphore.hasQueuedThreads() ? 10 : 0);
        }
    }

    /**
     * FIFO: one permit; an {@code acquire(2)} (which never fits: it stays queued) arrives while a
     * {@code tryAcquire(1)} runs, which gives the permit back if it took it. The small try may take
     * the permit only if nobody is queued: once the large request queued, it must not be overtaken.
     *
     * <p>{@code r1}: the try saw a waiter queued ({@code hasQueuedThreads()}) just before it;
     * {@code r2}: the try took the permit (1) or not (0); {@code r3} (arbiter): the permits
     * available (1: none created or lost), plus 10 if the large request is still queued, plus 100
     * if it was granted.
     */
    @JCStressTest
    @Description("tryAcquire(1) never barges past a queued acquire(2); the large request takes nothing partially; permits are conserved.")
    @Outcome(id = "1, 0, 11", expect = ACCEPTABLE,
            desc = "The large request queued first; the try saw it and did not take the free permit.")
    @Outcome(id = "0, 1, 11", expect = ACCEPTABLE,
            desc = "The try came first, took the permit and gave it back; the large request queued (before or after the release).")
    @Outcome(id = "0, 0, 11", expect = ACCEPTABLE_INTERESTING,
            desc = "The large request queued between the try's look at head and its grant under the guard: the try failed although it had seen nobody queued.")
    @Outcome(expect = FORBIDDEN,
            desc = "The try barged past the queued request, the large request was granted (or took a part) with 1 permit, or a permit was created or lost.")
    @State
    public static class TryDoesNotBargeQueuedLarge {
        private final BridgeSemaphore semaphore = new BridgeSemaphore(1);
        private final QueuedSync sync = syncOf(semaphore);
        private Waiter waiter;

        @Actor
        public void large() {
            waiter = sync.arrive(false, 2, true);               // the non-waiting half of acquire(2)
        }

        @Actor
        public void small(III_Result r) {
            boolean sawQueued = semaphore.hasQueuedThreads();
            boolean took = semaphore.tryAcquire(1);
            if (took) {
                semaphore.release(1);
            }
            r.r1 = sawQueued ? 1 : 0;
            r.r2 = took ? 1 : 0;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = semaphore.availablePermits() + (semaphore.hasQueuedThreads() ? 10 : 0)
                    + (waiter.isGranted() ? 100 : 0);
        }
    }
}
