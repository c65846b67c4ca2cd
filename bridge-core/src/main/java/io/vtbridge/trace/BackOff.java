package io.vtbridge.trace;

import io.vtbridge.internal.NonBlockingThread;

import java.util.concurrent.locks.LockSupport;

/**
 * How a thread waits on a {@link TraceRing}: one turn of a wait at a time ({@link #backOff}), for a
 * queued writer waiting for the lock holder that writes its record ({@link TraceRingCombining}), for
 * a lock holder waiting for an older round still being copied into the bytes it must overwrite
 * ({@link TraceRingEviction}; a ring small for the load), and for {@link TraceRing#force()} waiting
 * for the tail lock.
 * <ul>
 *   <li>A queued platform writer parks ({@link LockSupport#parkNanos}) as soon as it finds its
 *       record not yet written, and nobody unparks it: an unpark per record would cost the lock
 *       holder a system call for every waiter it writes for. Its record is written meanwhile by
 *       whoever holds the lock next, and a queued writer holds nothing, so sleeping stalls no one.
 *       The park is {@value #MIN_PARK_NANOS} ns, and doubles, up to {@value #MAX_PARK_NANOS} ns,
 *       while the thread's appends keep queueing (it queues again sooner after its last queued
 *       append returned than that one's park; {@link WriterNode#adaptPark()}). With more writers
 *       than cores, the waiting ones then stay out of the way, and the running ones append without
 *       fighting them for the cache lines and the CPU; on a bridge, spinning pool threads would also
 *       take CPU from the shard loops (docs/BENCHMARKS.md). The cost is latency: a contended append
 *       takes at least one park to return, and up to {@value #MAX_PARK_NANOS} ns while contention
 *       lasts. That is a bound, where {@link Thread#yield()} gives none.</li>
 *   <li>A bridge loop thread ({@link NonBlockingThread}) never parks: it carries its shard's virtual
 *       threads. It spins a little, then yields.</li>
 *   <li>A queued virtual thread spins a little, then yields ({@link Thread#yield()}), handing its
 *       carrier to other virtual threads, and after {@value #YIELDS_BEFORE_PARKING} yields parks
 *       as a platform writer does: on JDK 25's default scheduler, virtual threads that yield in a
 *       loop can keep others from running at all (two of them on two carriers kept a third from
 *       starting for 3 s in a stand-alone check).</li>
 *   <li>A lock holder waiting for an older round spins, then yields if it is a platform thread, and
 *       keeps spinning if it is a virtual thread: it is <em>inside a round</em> (from taking the lock
 *       to committing its round), and unmounting would hand its carrier, perhaps a shard loop that
 *       appends to this ring too, to code that may end up waiting for it: a deadlock. So every thread
 *       that others wait for is running.</li>
 * </ul>
 * Nothing inside a round parks, allocates or calls user code.
 *
 * <p><b>Threading:</b> stateless; {@link #backOff} acts on the calling thread only, which says
 * whether it is inside a round.
 */
final class BackOff {

    /** Spins of a wait before it yields: a virtual thread, a loop thread, or a lock holder waiting for a round. */
    static final int SPINS_BEFORE_BACKING_OFF = 16;
    /** Yields of a queued virtual thread before it parks between checks instead (see the class comment). */
    static final int YIELDS_BEFORE_PARKING = 16;
    /** The shortest park of a queued platform writer; nobody unparks it (see the class comment). */
    static final long MIN_PARK_NANOS = 25_000;
    /** The longest: a writer queued append after append doubles its park up to this. */
    static final long MAX_PARK_NANOS = 1_000_000;

    private BackOff() {
    }

    /**
     * One turn of a wait. A queued platform writer that is not a bridge loop thread parks for
     * {@code parkNanos} at once. Any other thread spins a little; then a virtual thread inside a
     * round keeps spinning, and a lock holder, another virtual thread or a loop thread yields (see
     * the class comment).
     */
    static void backOff(int spins, boolean inRound, long parkNanos) {
        Thread me = Thread.currentThread();
        if (parks(me, inRound)) {
            LockSupport.parkNanos(parkNanos); // a queued platform writer: at once (see the class comment)
        } else if (spins < SPINS_BEFORE_BACKING_OFF || (inRound && me.isVirtual())) {
            Thread.onSpinWait();
        } else if (me.isVirtual() && spins >= SPINS_BEFORE_BACKING_OFF + YIELDS_BEFORE_PARKING && !me.isInterrupted()) {
            // a queued virtual thread that has yielded a while: Thread.yield alone can starve other
            // virtual threads (JDK 25, default scheduler: two threads yielding in a loop on two
            // carriers kept a third from starting for 3 s). A timed park unmounts it for real.
            LockSupport.parkNanos(parkNanos);
        } else {
            Thread.yield();
        }
    }

    /**
     * Whether {@code me} waits by parking: a platform thread that is not a bridge loop thread, waiting
     * outside a round, and not interrupted (parkNanos returns at once while the interrupt flag is set,
     * and the flag is the caller's, not ours to clear: such a thread spins and yields instead).
     */
    static boolean parks(Thread me, boolean inRound) {
        return !inRound && !me.isVirtual() && !(me instanceof NonBlockingThread) && !me.isInterrupted();
    }
}
