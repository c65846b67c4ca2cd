package io.vtbridge.jcstress;

import io.vtbridge.sync.SharedExclusiveSync;
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
 * The grant rules of {@link SharedExclusiveSync} (the state and queue of {@code BridgeReadWriteLock})
 * in decision form: nobody parks on purpose, each side records what it saw.
 *
 * <p>Every change of this sync's state happens under the queue's guard, so there is no unguarded
 * hand-off like {@code BridgeLock}'s; what can still go wrong is a rule: a new reader let in past a
 * queued writer (writer preference), a release that does not grant the waiter that arrived while
 * it ran (a waiter left queued on a free lock), or a writer granted while a reader is inside.
 *
 * <p>The actors call the public methods {@code BridgeReadWriteLock} is made of:
 * {@code acquireShared(false, 0)} ({@code readLock().tryLock()}), {@code releaseShared()},
 * and {@code arrive(shared, 1, true)}, the non-waiting half of {@code readLock().lock()} /
 * {@code writeLock().lock()}. {@code ShardLoop.current()} is {@code null} on jcstress threads.
 * A grant unparks the granted jcstress worker, which did not park for it: a stray permit ends one
 * later {@code parkNanos} early, which nothing here relies on.
 */
public final class ReadWriteLockGrantTest {

    private ReadWriteLockGrantTest() {
    }

    /** What {@code arrive} returns for a request granted at once (one shared instance). */
    static final Waiter GRANTED_AT_ONCE = new SharedExclusiveSync().arrive(true, 1, true);

    /**
     * Writer preference. The state's constructor takes the read lock and never lets it go, so a
     * writer's arrival always queues. A new reader arrives at the same time: if it saw the writer
     * queued before it arrived, it must queue behind it. jcstress constructs states on one of the
     * actor threads (whichever finished the previous stride last), so the read holder is sometimes
     * the reader actor's thread (then the reader is re-entrant and may pass the queue: it would
     * otherwise wait for a writer that waits for it) and sometimes the writer actor's thread (its
     * arrival is then an upgrade request, which {@code acquireExclusive} refuses before it gets
     * this far, but {@code arrive} queues it like any writer: the rule under test is the same).
     *
     * <p>{@code r1}: the writer's arrival was queued (0) or granted (1: forbidden, a reader holds
     * the lock). {@code r2}: the reader was granted at once (1) or queued (0). {@code r3}: the reader
     * saw a waiter queued ({@code hasQueuedThreads()}, a volatile read of {@code head}) just before
     * it arrived. {@code r4}: the read holder is the reader actor's thread (1), the writer actor's
     * (2), or another thread (0).
     */
    @JCStressTest
    @Description("a new reader never overtakes a queued writer; a writer is never granted while a reader holds the lock.")
    @Outcome(id = {"0, 0, 1, 0", "0, 0, 1, 2"}, expect = ACCEPTABLE,
            desc = "The writer queued first; the reader saw it and queued behind it.")
    @Outcome(id = {"0, 1, 0, 0", "0, 1, 0, 2"}, expect = ACCEPTABLE,
            desc = "The reader came first: nobody queued, no writer holds the lock: granted at once (shared with the holder); the writer queued after it.")
    @Outcome(id = {"0, 0, 0, 0", "0, 0, 0, 2"}, expect = ACCEPTABLE_INTERESTING,
            desc = "The writer appended itself between the reader's look at head and the reader's grant under the guard: the reader queued behind it.")
    @Outcome(id = {"0, 1, 0, 1", "0, 1, 1, 1"}, expect = ACCEPTABLE,
            desc = "The reader's thread is the read holder: a re-entrant read passes the queue (mayBarge), whether or not the writer was queued.")
    @Outcome(expect = FORBIDDEN,
            desc = "A new reader granted although it saw the writer queued (writer preference broken), a writer granted while a reader holds the lock, or a re-entrant reader queued.")
    @State
    public static class QueuedWriterNotOvertaken {
        private final SharedExclusiveSync sync = new SharedExclusiveSync();
        private final Thread holder = Thread.currentThread();

        public QueuedWriterNotOvertaken() {
            try {
                if (!sync.acquireShared(false, 0L)) {           // readLock().tryLock() on a fresh lock
                    throw new IllegalStateException("a fresh lock refused a read");
                }
            } catch (InterruptedException impossible) {
                throw new AssertionError(impossible);
            }
        }

        @Actor
        public void writer(IIII_Result r) {
            if (holder == Thread.currentThread()) {
                r.r4 = 2;
            }
            Waiter w = sync.arrive(false, 1, true);             // the non-waiting half of writeLock().lock()
            r.r1 = w.isGranted() ? 1 : 0;
        }

        @Actor
        public void reader(IIII_Result r) {
            if (holder == Thread.currentThread()) {
                r.r4 = 1;
            }
            boolean sawQueued = sync.hasQueuedThreads();
            Waiter w = sync.arrive(true, 1, true);              // the non-waiting half of readLock().lock()
            r.r2 = w.isGranted() ? 1 : 0;
            r.r3 = sawQueued ? 1 : 0;
        }
    }

    /**
     * A reader's try-lock-and-unlock against a writer's arrival. The release (the last read hold:
     * {@code readers} drops to 0, then {@code grantWaiters()}) and the arrival (grant at once, or
     * append and re-check) both run under the guard. The reader marks its critical section with a
     * volatile {@code inside} flag that the writer reads right after its grant: a writer granted
     * while the reader is inside shows.
     *
     * <p>{@code r1}: the reader took the lock and released it (1), found it taken (0), or found a
     * writer holding the lock while inside (3: forbidden). {@code r2}: the writer was granted at
     * once (1), queued and granted by the time it looked at its status right after {@code arrive}
     * returned (2: the release granted it in between), or still queued then (0); -1 if granted
     * while the reader was inside. {@code r3} (arbiter): 0 when the
     * writer holds the lock, no read hold is left and nobody is queued; +1 if the writer does not
     * hold it, +10 if a read hold is left, +100 if someone is queued.
     */
    @JCStressTest
    @Description("read unlock vs writer arrival: the writer is never left queued on a free lock, and never granted while the reader is inside.")
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE,
            desc = "The writer arrived while the reader held the lock and queued; the read unlock (readers 1 -> 0) granted it.")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE,
            desc = "The reader took and released the lock before the writer arrived: granted at once.")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE,
            desc = "The writer came first and was granted at once; the reader's try found the lock written.")
    @Outcome(id = "1, 2, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "The writer queued; the read unlock granted it after arrive returned but before the writer looked at its status (the re-check inside arrive cannot succeed here: the release runs under the guard).")
    @Outcome(expect = FORBIDDEN,
            desc = "Lost waiter (writer queued on a free lock), a writer granted while the reader is inside, a read hold left behind, or the reader's try failing with no writer.")
    @State
    public static class ReadUnlockRacesWriterArrival {
        private final SharedExclusiveSync sync = new SharedExclusiveSync();
        private volatile int inside;   // 1 while the reader is in its critical section
        private Thread arriver;        // the writer's thread, for the arbiter

        @Actor
        public void reader(III_Result r) {
            try {
                if (sync.acquireShared(false, 0L)) {            // readLock().tryLock()
                    inside = 1;
                    boolean alone = sync.writer() == null;
                    inside = 0;
                    sync.releaseShared();                       // readLock().unlock()
                    r.r1 = alone ? 1 : 3;
                } else {
                    r.r1 = 0;
                }
            } catch (InterruptedException impossible) {
                r.r1 = -2;
            }
        }

        @Actor
        public void writer(III_Result r) {
            arriver = Thread.currentThread();
            Waiter w = sync.arrive(false, 1, true);             // the non-waiting half of writeLock().lock()
            if (w.isGranted()) {
                boolean alone = inside == 0;                    // granted: the reader must be out
                r.r2 = !alone ? -1 : w == GRANTED_AT_ONCE ? 1 : 2;
            } else {
                r.r2 = 0;
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = (sync.writer() == arriver ? 0 : 1) + (sync.readers() != 0 ? 10 : 0)
                    + (sync.hasQueuedThreads() ? 100 : 0);
        }
    }
}
