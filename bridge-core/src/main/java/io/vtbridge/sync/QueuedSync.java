package io.vtbridge.sync;

import io.vtbridge.internal.StressHook;
import io.vtbridge.internal.VarHandles;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.timer.Timer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The waiting machinery shared by {@code BridgeLock}, {@code BridgeReadWriteLock} and
 * {@code BridgeSemaphore}: a FIFO queue of {@link Waiter}s, direct hand-off on release, timeouts on
 * the waiter's own loop timers, and the events of the event model (kind LOCK).
 *
 * <p><b>The guard.</b> The queue, and whatever state a subclass declares "guarded", is protected by
 * a spin guard: one CAS to take it, a release store to let it go. It is held for a few dozen
 * instructions (queue links, a counter, a hash-map entry) and never across a park, a yield, a
 * callback or user code. So no virtual thread can hold it while unmounted, and a loop thread never
 * waits on a thread that is parked (the loop never blocks; docs/DESIGN.md, "Invariants"). A thread that finds it taken spins
 * briefly, then yields, because its holder may be a platform thread the OS has just descheduled.
 * Go's runtime guards its semaphore waiter queues the same way ({@code semaRoot.lock}).
 *
 * <p><b>Grants.</b> A request is granted at once only when nobody is queued (no barging past
 * waiters) and {@link #tryGrant} allows it; otherwise the thread queues and parks. A release changes
 * the subclass's state under the guard and then {@link #grantWaiters() grants} from the head of the
 * queue for as long as {@link #tryGrant} allows: the lock passes directly to the next waiter, which
 * wakes up owning it. The unpark happens after the guard is let go; for a waiter on the releaser's
 * own shard it lands in the loop's local run queue, with no atomic instruction of vtbridge's (the
 * JDK's unpark itself CASes the thread's state, on a line no other thread touches), for a waiter on
 * another shard in that shard's queue of cross-thread resumes, for a platform thread it is a plain unpark.
 *
 * <p><b>Timeouts.</b> A timed wait in bridged code arms a timer on the waiter's own loop, which
 * expires on that loop's thread and unparks it through the local run queue: no JDK timer thread. A
 * pinned virtual thread (it cannot unmount) and a platform thread use {@code parkNanos}.
 *
 * <p><b>Shard-affine mode</b> (opt-in, {@link #QueuedSync(boolean)}): while every user runs on one
 * loop carrier, the guard is taken without its CAS and the guarded writes need no fence; the first
 * thread carried by anything else switches the sync to the mode above, for good, without losing a
 * waiter or a grant. The protocol is {@link ShardAffinity}'s. A subclass that keeps state outside the
 * guard (as {@link ExclusiveSync}'s lock-free paths do) may use it only while {@link #sharedMode()}.
 *
 * <p><b>Threading:</b> every method may be called from any thread; the {@code protected} hooks are
 * called with the guard held.
 */
public abstract class QueuedSync {

    /** {@code timeoutNanos} for an untimed wait. */
    protected static final long NO_TIMEOUT = -1;

    private static final VarHandle GUARD = VarHandles.field(MethodHandles.lookup(), "guard", int.class);
    private static final VarHandle HEAD = VarHandles.field(MethodHandles.lookup(), "head", Waiter.class);
    private static final int SPINS_BEFORE_YIELD = 64;

    private volatile int guard;   // 0 free, 1 taken: CAS to take (acquire), setRelease to let go (pairs with that CAS)
    private volatile Waiter head; // written under the guard; read without it as "is anybody queued" (volatile: see BridgeLock's release)
    private Waiter tail;          // guarded
    private final ShardAffinity affinity; // null: shared mode only

    /** A sync in the shared mode only. */
    protected QueuedSync() {
        this(false);
    }

    /** @param shardAffine whether it starts in the shard-affine mode (see the class comment) */
    protected QueuedSync(boolean shardAffine) {
        this.affinity = shardAffine ? new ShardAffinity() : null;
    }

    /**
     * Under the guard: may {@code thread} be granted {@code arg} ({@code shared} or exclusive) now?
     * If so, record the grant in the subclass's state and return {@code true}.
     */
    protected abstract boolean tryGrant(Thread thread, boolean shared, int arg);

    /**
     * Under the guard, before anything else of an arriving request: an error to throw instead of
     * granting or queueing it (the guard is let go first), or {@code null}. For a hold count that one
     * more hold would wrap. None by default.
     */
    protected Error refusal(Thread thread, boolean shared) {
        return null;
    }

    /**
     * Under the guard: may {@code thread} be granted at once even though others are queued? For
     * re-entrant requests that would otherwise deadlock behind a waiter that waits for this thread.
     */
    protected boolean mayBarge(Thread thread, boolean shared) {
        return false;
    }

    /**
     * Without the guard: an optional fast path tried before anything else (e.g. one CAS on a free
     * lock nobody is queued for). Returns whether it acquired.
     */
    protected boolean tryFastPath(boolean shared, int arg) {
        return false;
    }

    /** What {@link #arrive} returns for a request granted at once: no allocation on that path. */
    private static final Waiter GRANTED_AT_ONCE = new Waiter(null, false, 0, Waiter.GRANTED);

    // ---- the guard ------------------------------------------------------------------------------

    protected final void lockGuard() {
        if (affinity != null && affinity.enter()) {
            return; // the affine form: this thread runs on the home carrier, which runs one user at a time
        }
        if (GUARD.compareAndSet(this, 0, 1)) {
            return;
        }
        int spins = 0;
        while (guard != 0 || !GUARD.compareAndSet(this, 0, 1)) {
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                spins = 0;
                Thread.yield(); // the holder may be a descheduled platform thread: let it run
            }
        }
    }

    protected final void unlockGuard() {
        if (guard != 0) {
            GUARD.setRelease(this, 0); // pairs with the CAS in lockGuard(): the next holder sees our writes
        } else {
            affinity.exit(); // held in the affine form (nobody CASes the guard before the switch)
        }
    }

    /**
     * Under the guard: whether it is held in its affine form. The guard word is 0 then (no thread
     * takes it by CAS until the sync is shared, and once it is, nobody enters the affine form), and
     * the guarded state is touched by the home carrier alone: plain writes suffice.
     */
    protected final boolean guardIsAffine() {
        return guard == 0;
    }

    /**
     * Whether the sync is in the shared mode (never affine, or switched for good): a thread that
     * reads {@code true} may use state outside the guard, because no thread is or will be inside
     * the affine form.
     */
    protected final boolean sharedMode() {
        return affinity == null || affinity.isShared();
    }

    /** Whether the sync is still in the shard-affine mode: created so, and not switched. A snapshot. */
    public final boolean isShardAffine() {
        return affinity != null && affinity.isAffine();
    }

    /**
     * Binds an unbound shard-affine sync to {@code home}, as a first use by a bridged thread does to
     * its carrier. For the jcstress tests, whose threads are on no loop. Returns whether it bound.
     */
    public final boolean bindHome(Thread home) {
        return affinity != null && affinity.bind(home);
    }

    /** Whether any thread is queued. A volatile read, without the guard. */
    public final boolean hasQueuedThreads() {
        return head != null;
    }

    /** The number of queued threads: a snapshot, for monitoring. */
    public final int queueLength() {
        if (affinity != null && !affinity.isShared() && !affinity.isHome()) {
            // A monitoring read from off the home carrier does not switch the sync: a walk without
            // the guard (it ends: unlinked waiters point nowhere and are never queued again).
            int n = 0;
            for (Waiter w = head; w != null; w = w.next) {
                n++;
            }
            return n;
        }
        lockGuard();
        int n = 0;
        for (Waiter w = head; w != null; w = w.next) {
            n++;
        }
        unlockGuard();
        return n;
    }

    // ---- acquire --------------------------------------------------------------------------------

    /**
     * Acquires {@code arg}, waiting if needed.
     *
     * @param timeoutNanos {@link #NO_TIMEOUT}, 0 for "only if available now", or the longest wait
     * @return whether it was acquired ({@code false} for a timeout, or a try that found it taken)
     * @throws InterruptedException if {@code interruptible} and the thread was interrupted before
     *                              the grant (the request is withdrawn)
     */
    protected final boolean acquire(boolean shared, int arg, boolean interruptible, long timeoutNanos)
            throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        StressHook.point(requestName(), this); // a stress run may switch threads here; elsewhere one volatile read
        // Whatever can unmount the thread (the coop yield, the guard's spin) may let another shard
        // take it (the steal): the loop is read again after each, and its state is never touched
        // from another loop's carrier.
        ShardLoop loop = ShardLoop.current();
        if (loop != null) {
            loop = loop.services().request(EventKind.LOCK, timeoutNanos != 0); // no coop check for a try: tryLock() never gives up the carrier
        }
        if (tryFastPath(shared, arg)) {
            if (loop != null) {
                loop.events().fastPath();
            }
            return true;
        }
        Waiter waiter = arrive(shared, arg, timeoutNanos != 0);
        if (waiter == null) {
            return false; // a try that found it taken
        }
        loop = ShardLoop.current(); // the guard's spin may have yielded
        if (waiter.status == Waiter.GRANTED) {
            if (loop != null) {
                loop.events().fastPath();
            }
            return true;
        }
        return awaitGrant(waiter, loop, interruptible, timeoutNanos);
    }

    /**
     * The non-waiting half of an acquire: grants at once, or queues a waiter (when {@code queue}),
     * or returns {@code null}. Public for the jcstress tests, which race it against a release
     * without parking; the returned waiter is granted, or queued until a release grants it.
     */
    public final Waiter arrive(boolean shared, int arg, boolean queue) {
        Thread me = Thread.currentThread();
        lockGuard();
        Error refused = refusal(me, shared);
        if (refused != null) {
            unlockGuard();
            throw refused;
        }
        if ((head == null || mayBarge(me, shared)) && tryGrant(me, shared, arg)) {
            unlockGuard();
            return GRANTED_AT_ONCE;
        }
        if (!queue) {
            unlockGuard();
            return null;
        }
        Waiter waiter = new Waiter(me, shared, arg, Waiter.WAITING);
        append(waiter);
        // Re-check after the append (a volatile write of head or of the old tail's link): a release
        // that ran without the guard (BridgeLock's unlock with nobody queued) and missed this
        // waiter has already cleared its state, so the grant below sees it free.
        Waiter granted = grantWaiters();
        unlockGuard();
        wake(granted, me);
        return waiter;
    }

    /** {@code loop}: the loop that carries the thread now (it probes whether the thread is pinned), or null. */
    private boolean awaitGrant(Waiter waiter, ShardLoop loop, boolean interruptible, long timeoutNanos)
            throws InterruptedException {
        boolean timed = timeoutNanos > 0;
        // Under a stress run a timed wait is on the run's virtual clock.
        StressHook stress = timed && loop == null ? StressHook.current() : null;
        long deadline = timed ? nanoTime(stress) + Math.min(timeoutNanos, ShardLoop.MAX_DELAY_NANOS) : 0L;
        // A pinned virtual thread cannot unmount, so its loop cannot fire a loop timer for it.
        boolean loopTimer = timed && loop != null && !loop.services().currentThreadIsPinned();
        WakeTimer timer = null;
        boolean interrupted = false;
        try {
            while (waiter.status != Waiter.GRANTED) {
                if (timed) {
                    long remaining = deadline - nanoTime(stress);
                    if (remaining <= 0) {
                        if (cancel(waiter)) {
                            return false;
                        }
                        break; // granted meanwhile
                    }
                    if (loopTimer && timer == null) {
                        timer = new WakeTimer(deadline, Thread.currentThread());
                        loop.services().addTimer(timer);
                    }
                    if (stress != null) {
                        stress.parkUntil(deadline, this);
                    } else {
                        park(loop, loopTimer ? 0L : remaining, this);
                    }
                } else {
                    park(loop, 0L, this);
                }
                if (Thread.interrupted()) {
                    if (!interruptible) {
                        interrupted = true;
                    } else if (cancel(waiter)) {
                        throw new InterruptedException();
                    } else {
                        interrupted = true; // the grant won the race: we own it; keep the interrupt
                    }
                }
            }
            return true;
        } catch (RuntimeException | Error unexpected) {
            // Leave no waiter behind: a later release would grant it to a thread that has left. If
            // the grant came first, the thread owns it, as after a return.
            cancel(waiter);
            throw unexpected;
        } finally {
            if (timer != null) {
                // On the timer's loop, or (a thread an idle shard took meanwhile) through its cross-thread path.
                loop.services().removeTimer(timer);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** How a stress run's schedule names an acquire of this ("REQUEST LOCK"; a semaphore's says ACQUIRE). */
    protected String requestName() {
        return "REQUEST LOCK";
    }

    /** The clock of a timed wait: {@code stress}'s virtual one under a stress run, {@code System.nanoTime()} elsewhere. */
    static long nanoTime(StressHook stress) {
        return stress != null ? stress.nanoTime() : System.nanoTime();
    }

    /**
     * Parks the current thread, announcing it to the event model in bridged code. {@code blocker}
     * is what {@code LockSupport.getBlocker} shows (the stall watchdog names it).
     */
    static void park(ShardLoop loop, long nanos, Object blocker) {
        if (loop == null) {
            if (nanos > 0) {
                LockSupport.parkNanos(blocker, nanos);
            } else {
                LockSupport.park(blocker);
            }
            return;
        }
        long token = loop.services().beginWait(EventKind.LOCK);
        if (nanos > 0) {
            LockSupport.parkNanos(blocker, nanos);
        } else {
            LockSupport.park(blocker);
        }
        loop.services().endWait(EventKind.LOCK, token);
    }

    /**
     * Withdraws a queued waiter that gave up. Returns {@code false} if it had been granted first
     * (the caller then owns what it asked for).
     */
    final boolean cancel(Waiter waiter) {
        lockGuard();
        if (waiter.status != Waiter.WAITING) {
            unlockGuard();
            return false;
        }
        unlink(waiter);
        waiter.setStatus(Waiter.CANCELLED, guardIsAffine());
        // A waiter that leaves the head can unblock those behind it (a semaphore request that did
        // not fit, a writer that kept readers queued).
        Waiter granted = grantWaiters();
        unlockGuard();
        wake(granted, null);
        return true;
    }

    // ---- release --------------------------------------------------------------------------------

    /**
     * Under the guard: grants queued waiters from the head while {@link #tryGrant} allows, and
     * returns them as a chain (through {@code wakeNext}, in queue order) to {@link #wake} once the
     * guard is let go.
     */
    protected final Waiter grantWaiters() {
        Waiter first = null;
        Waiter last = null;
        Waiter w = head;
        while (w != null && tryGrant(w.thread, w.shared, w.arg)) {
            Waiter next = w.next;
            unlink(w);
            w.setStatus(Waiter.GRANTED, guardIsAffine()); // the waiter that reads it sees the grant's state
            w.wakeNext = null;
            if (first == null) {
                first = w;
            } else {
                last.wakeNext = w;
            }
            last = w;
            w = next;
        }
        return first;
    }

    /** Unparks a chain from {@link #grantWaiters}, except {@code self}. Without the guard. */
    protected static void wake(Waiter chain, Thread self) {
        for (Waiter w = chain; w != null; ) {
            Waiter next = w.wakeNext;
            if (w.thread != self) {
                LockSupport.unpark(w.thread);
            }
            w = next;
        }
    }

    /**
     * Queues {@code waiter}, which a condition's {@code signal()} moved from CONDITION to WAITING,
     * for the lock. Called by the lock holder, so nothing can be granted now.
     */
    final boolean transfer(Waiter waiter) {
        lockGuard();
        boolean moved = waiter.casStatus(Waiter.CONDITION, Waiter.WAITING);
        if (moved) {
            append(waiter);
        }
        unlockGuard();
        return moved;
    }

    /**
     * Waits, uninterruptibly and without a timeout, until {@code waiter} (queued by
     * {@link #transfer}) is granted. Returns whether the thread was interrupted meanwhile.
     */
    final boolean awaitTransferred(Waiter waiter, ShardLoop loop) {
        boolean interrupted = false;
        while (waiter.status != Waiter.GRANTED) {
            park(loop, 0L, this);
            interrupted |= Thread.interrupted();
        }
        return interrupted;
    }

    // ---- the queue (guarded) --------------------------------------------------------------------

    private void append(Waiter waiter) {
        Waiter t = tail;
        waiter.prev = t;
        waiter.next = null;
        tail = waiter;
        if (t == null) {
            setHead(waiter);
        } else {
            t.next = waiter;
        }
    }

    private void unlink(Waiter waiter) {
        Waiter p = waiter.prev;
        Waiter n = waiter.next;
        if (p == null) {
            setHead(n);
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        waiter.prev = null;
        waiter.next = null;
    }

    /**
     * Under the guard. Shared mode: a volatile store (BridgeLock's unguarded release and the
     * arrival's re-check are a Dekker pair on it). Affine form: a release store, for the monitoring
     * reads of {@link #hasQueuedThreads()} (the volatile load it pairs with); the home carrier
     * reads its own writes.
     */
    private void setHead(Waiter h) {
        if (guardIsAffine()) {
            HEAD.setRelease(this, h);
        } else {
            head = h;
        }
    }

    /** A loop timer that wakes one timed waiter on its own loop. */
    static final class WakeTimer extends Timer {
        private final Thread waiter;

        WakeTimer(long deadline, Thread waiter) {
            super(deadline);
            this.waiter = waiter;
        }

        @Override
        protected void expire() {
            LockSupport.unpark(waiter); // on the loop thread: lands in its local run queue
        }
    }
}
