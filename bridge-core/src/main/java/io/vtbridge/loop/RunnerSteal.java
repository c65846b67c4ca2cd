package io.vtbridge.loop;

import io.vtbridge.internal.IdentityIndex;
import io.vtbridge.queue.StampedSource;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The runnable threads of a loop that any loop may carry: its runners while they are inside a task
 * without a key. Their resumes wait in a queue of their own, which the loop serves as part of its
 * local run queue and from which a peer loop that has nothing else to run takes ("steals"), one at
 * a time, so that a shard with nothing to do carries a busy shard's work instead of parking.
 *
 * <p>Why: without it, a task placed on a shard starts there and stays there to its end. Under a
 * real library with a shared resource (a connection pool behind one lock, say) the runnable threads
 * of such tasks pile up on one shard while the other's are all waiting: one loop runs, the other
 * parks, and half the CPU is idle (the JDK's scheduler steals, so its carriers stay busy). A
 * continuation may run on any carrier (the hog mover already runs some on the CPU pool), so an idle
 * loop may mount a peer's runner: the runner continues its task there, every loop-owned structure it
 * touches is the carrier's loop's (bridged calls find their loop by the carrier) or is reached by
 * the cross-thread paths, and when its task ends off its own loop the runner ends (a fresh one takes
 * its place at home).
 *
 * <p>What moves: only runners inside a task without a key; a keyed task's thread, a thread of
 * {@code Shard.newThread}, a latency-lane task's own thread never do. Whether a continuation is a
 * runner's is told by an index of the loop's runners by continuation ({@link IdentityIndex}: the
 * runner is its own entry, so a waiting runner costs no map node), filled at the runner's first
 * activation and emptied when it ends. A lookup that misses (the index grew meanwhile) only keeps
 * that resume at home.
 *
 * <p>Who runs an entry: the home loop always does, unless a peer took it first, so nothing waits on
 * a peer. An entry offered from another thread wakes the home loop if it sleeps, as any resume does
 * (the Dekker pattern of {@link WakeupGate}: the offer is a sequentially consistent insertion, the
 * loop re-checks this queue after it announces sleep). Peers are woken only where a steal is likely
 * to pay, since each wake-up costs the waker a system call and moves a thread away from its caches:
 * <ul>
 *   <li>an offer from another thread while the home loop is awake (busy) wakes one hungry peer;</li>
 *   <li>an offer on the home loop's own carrier wakes one only if the entry queued behind another
 *       (a backlog): a thread that wakes another and then parks (a hand-off, a ping-pong) would
 *       otherwise send every hand-off to the other core;</li>
 *   <li>the stall watchdog, at each check (every few milliseconds), wakes one for a busy loop with
 *       entries waiting: the back-stop for a lone entry behind a long mount.</li>
 * </ul>
 * A loop that spins idle, or whose turn found nothing of its own, takes from its peers without
 * being woken. A loop reads its peers' queues after it announces hunger and sleep and before it
 * parks, so a wake-up of a hungry peer is never lost.
 *
 * <p>Bounds: an entry is a runnable thread, queued once per resume, so the queue holds at most
 * one entry per live runner, and runners are bounded by the bridge's in-flight tasks.
 *
 * <p><b>Threading:</b> every method may be called from any thread unless marked otherwise.
 */
final class RunnerSteal implements StampedSource<Runnable> {

    /** A runnable continuation and the stamp of when it became runnable (0: not measured). */
    record Ready(Runnable continuation, long stamp) {
    }

    /** {@link #offer}: not a runner inside an unkeyed task; not queued here. */
    static final int NOT_MOVABLE = 0;
    /** {@link #offer}: queued, and nothing older waits here. */
    static final int ALONE = 1;
    /** {@link #offer}: queued behind an older entry. */
    static final int BEHIND = 2;

    private final ShardLoop loop;
    private final IdentityIndex<Runnable, TaskRunners.Runner> runners = new IdentityIndex<>();
    private final ConcurrentLinkedQueue<Ready> ready = new ConcurrentLinkedQueue<>();
    private RunnerSteal[] peers = new RunnerSteal[0]; // set before the loops start
    private int cursor;                               // owner only: the peer looked at first
    private long polledStamp;                         // owner only: the stamp of the entry poll() returned last

    RunnerSteal(ShardLoop loop) {
        this.loop = loop;
    }

    /** The other loops' queues. Before the loops start. */
    void peers(RunnerSteal[] others) {
        this.peers = others.clone();
    }

    /** A runner's continuation, seen at its first activation. Owner only. */
    void register(Runnable continuation, TaskRunners.Runner runner) {
        runners.add(runner, continuation);
    }

    /** A runner ends (on any carrier): forgotten, if it was registered. */
    void unregister(TaskRunners.Runner runner) {
        runners.remove(runner);
    }

    /**
     * Queues {@code continuation} here if it is a runner inside a task without a key: returns
     * {@link #NOT_MOVABLE} if it is not (the caller queues it as usual), else {@link #BEHIND} if an
     * older entry still waits here (a backlog: worth waking a peer for), else {@link #ALONE}.
     */
    int offer(Runnable continuation, long stamp) {
        TaskRunners.Runner r = runners.find(continuation);
        if (r == null || !r.movable) {
            return NOT_MOVABLE;
        }
        Ready entry = new Ready(continuation, stamp);
        ready.offer(entry);
        Ready head = ready.peek();
        return head != null && head != entry ? BEHIND : ALONE;
    }

    /** Wakes one peer that has said it is hungry (parked or about to). */
    void wakeHungryPeer() {
        for (RunnerSteal peer : peers) {
            if (peer.loop.runners().isHungry()) {
                peer.loop.wakeForTasks();
                return;
            }
        }
    }

    /** The next of this loop's own, on the owner ({@link StampedSource}: its stamp is {@link #polledStamp()}). */
    @Override
    public Runnable poll() {
        Ready r = ready.poll();
        if (r == null) {
            return null;
        }
        polledStamp = r.stamp();
        return r.continuation();
    }

    @Override
    public long polledStamp() {
        return polledStamp;
    }

    /** A peer's, the peers taken in turn. Owner only. */
    Ready steal() {
        int n = peers.length;
        for (int i = 0; i < n; i++) {
            int p = cursor;
            cursor = p + 1 == n ? 0 : p + 1;
            Ready r = peers[p].ready.poll();
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** Whether nothing of this loop's waits here now (a racy snapshot). */
    boolean isEmpty() {
        return ready.isEmpty();
    }

    /** Whether any peer has a resume to take. */
    boolean peersHaveReady() {
        for (RunnerSteal peer : peers) {
            if (!peer.ready.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** At the loop's exit: drops what is queued here, and returns how many. */
    int clear() {
        int n = 0;
        while (ready.poll() != null) {
            n++;
        }
        return n;
    }
}
