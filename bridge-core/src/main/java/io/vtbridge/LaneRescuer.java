package io.vtbridge;

import io.vtbridge.internal.NonBlockingThread;
import io.vtbridge.loop.LaneAlarm;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.pool.WorkerStarter;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The latency lane's rescuer of one bridge: its own platform thread ({@code <bridge>-lane}), started
 * the first time a lane start is queued from another thread, never a loop's. It sleeps until the
 * earliest rescue deadline of the starts still waiting on the loops' urgent queues; a start that its
 * loop has not taken by then (the loop is held by one long mount) is claimed here and run at once on
 * this thread: the rescuer mounts the virtual thread itself, as any carrier would. Rescuing takes one
 * timed wake-up, this thread's; handing the start to a pool worker would add that worker's wake-up,
 * which on a machine whose cores the loops keep busy is the longer of the two. When several starts
 * are overdue at once, the first runs here and the others go to the bridge's CPU pool.
 *
 * <p>A rescued start runs here until its thread first blocks or ends; its next resume goes to its
 * loop. A lane task is meant to be short before it blocks; one that holds this thread longer than
 * {@value #HELD_MILLIS} ms (a CPU loop, a blocking {@code java.io} read, a pinned wait) does not hold
 * the other rescues back: the stall watchdog, at its next check, sends every start overdue meanwhile
 * to the CPU pool ({@link #rescueIfHeld}). Both may look at a loop's list at once; each start is
 * claimed once.
 *
 * <p>Waking: a starter queues its start on the loop's list, then reads the rescuer's planned wake-up
 * and unparks it if the start is due earlier; the rescuer plans its wake-up, then reads the lists
 * again before it parks ({@link LaneAlarm}, a Dekker pair; jcstress: {@code LaneAlarmTest}).
 *
 * <p>The thread is started by the bridge's {@link WorkerStarter} (on the watchdog's thread), not by
 * the starter of the first lane task, which may be a bridged thread on a loop's carrier. The thread
 * publishes itself ({@code thread}) before its first look: a starter that still reads null queued its
 * start before that store, so the first look sees it (the same pair of a store, then a load on each
 * side; jcstress: {@code LaneRescuerStartTest}). A start that fails is asked for again by the next lane start; meanwhile the loops still run
 * every lane start, only without a rescue. The thread is a {@link NonBlockingThread}: a pool worker
 * that a rescue needs is started by the watchdog, not here, so that the start held for this thread
 * does not wait behind it.
 *
 * <p><b>Threading:</b> {@link #urgentQueued} from any thread; {@link #rescueIfHeld} by the stall
 * watchdog; {@link #stop} by the bridge's lifecycle code; the rest on the rescuer's thread, which
 * alone uses {@code held}.
 */
final class LaneRescuer {

    private static final System.Logger LOG = System.getLogger(LaneRescuer.class.getName());
    private static final long NONE = ShardLoop.NO_DEADLINE;
    /** How far ahead an idle rescuer plans its wake-up: later than any start's deadline, wrap-safe. */
    private static final long IDLE_PLAN_NANOS = 1L << 62;
    /** How long the rescuer may run one start itself before the watchdog rescues the others. */
    static final long HELD_MILLIS = 1;
    private static final long HELD_NANOS = TimeUnit.MILLISECONDS.toNanos(HELD_MILLIS);
    /** The pause after a look that failed (out of memory, say), so that a failing look does not spin. */
    private static final long FAILURE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long {@link #stop} waits for the thread. */
    private static final long STOP_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(5);

    private final Bridge bridge;
    private final WorkerStarter starter;
    private final LaneAlarm alarm = new LaneAlarm(); // when the rescuer looks next: planned before it parks, read by urgentQueued()
    private final Object lifecycle = new Object();   // orders the thread's start against stop()
    private Thread started;                          // guarded by lifecycle: the thread started, for stop() to join
    private volatile Thread thread;                  // the rescuer's thread, published by itself before its first look; else null
    private volatile boolean startQueued;            // the start was handed to the starter (reset if it failed)
    private volatile boolean stopping;               // set by stop()
    private volatile long busySince;                 // while the rescuer runs a start itself: since when (never 0); else 0
    private Runnable held;                           // rescuer only: the claimed start it runs next itself
    private final Predicate<Runnable> takeHere = this::holdIfFree; // one instance for every look

    LaneRescuer(Bridge bridge, WorkerStarter starter) {
        this.bridge = bridge;
        this.starter = starter;
    }

    /**
     * A latency-lane start with rescue deadline {@code deadline} was queued (on the starter's thread,
     * after it put the start on its loop's list): wakes the rescuer if it would look later than that,
     * and has its thread started the first time.
     */
    void urgentQueued(long deadline) {
        Thread rescuer = thread;
        if (rescuer == null) {
            requestStart();
        } else if (alarm.mustWake(deadline)) { // a volatile load, after the list's CAS: see LaneAlarm
            LockSupport.unpark(rescuer);
        }
    }

    private void requestStart() {
        if (startQueued) {
            return;
        }
        synchronized (lifecycle) {
            if (startQueued || stopping) {
                return;
            }
            startQueued = true;
        }
        starter.execute(this::startThread); // the watchdog's thread runs it: Thread.start must not hold a loop's carrier
    }

    private void startThread() {
        synchronized (lifecycle) {
            if (stopping) {
                return; // the bridge stops: the loops run what is queued, or the stop aborts it
            }
            try {
                Thread t = new LaneThread(this::run, bridge.name() + "-lane");
                t.start();
                started = t;
            } catch (RuntimeException | Error e) {
                // Out of memory or threads: no rescuer for now (the loops still run every lane start);
                // the next lane start asks again. Caught here: the watchdog's thread runs this start.
                startQueued = false;
                LOG.log(System.Logger.Level.WARNING, "vtbridge: the latency lane's rescuer did not start", e);
            }
        }
    }

    /**
     * The stall watchdog's backup, at each of its checks: while the rescuer has been running one start
     * itself for longer than {@value #HELD_MILLIS} ms, every start overdue meanwhile goes to the CPU pool.
     */
    void rescueIfHeld(long now) {
        long since = busySince;
        if (since != 0 && now - since > HELD_NANOS) {
            for (Shard shard : bridge.shards()) {
                shard.loop().rescueOverdueStarts(now, continuation -> false);
            }
        }
    }

    /**
     * Stops the rescuer and waits for it, at most 5 s: a rescued start may hold its thread (it is a
     * daemon thread; a warning names the wait). Idempotent.
     */
    void stop() {
        Thread t;
        synchronized (lifecycle) {
            stopping = true;
            t = started;
        }
        if (t == null) {
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (t.isAlive()) {
            LOG.log(System.Logger.Level.WARNING, "vtbridge: " + t.getName() + " did not stop within "
                    + STOP_WAIT_MILLIS + " ms: a rescued latency-lane start holds it");
        }
    }

    /** The rescuer's thread once it runs, or null. For tests and diagnostics. */
    Thread thread() {
        return thread;
    }

    private void run() {
        thread = Thread.currentThread(); // first: see the class comment
        while (!stopping) {
            try {
                look();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "vtbridge: the latency lane's rescuer failed a look; it goes on", e);
                LockSupport.parkNanos(this, FAILURE_PAUSE_NANOS);
            } finally {
                Runnable mine = held; // claimed by this look, even one that failed after: it runs, once
                if (mine != null) {
                    held = null;
                    runHere(mine);
                }
            }
        }
    }

    /** One look: claims the overdue starts (the first is kept in {@code held}), or plans and parks. */
    private void look() {
        long now = System.nanoTime();
        long next = NONE;
        for (Shard shard : bridge.shards()) {
            next = earlier(next, shard.loop().rescueOverdueStarts(now, takeHere));
        }
        if (held != null) {
            return; // run() runs it; time will have passed: look at the lists again after
        }
        long wakeAt = next != NONE ? next : now + IDLE_PLAN_NANOS;
        alarm.plan(wakeAt); // a volatile store, then the loads of the lists' heads below...
        long earliest = earliestLaneDeadline();
        if (earliest != NONE && earliest - wakeAt < 0) {
            return; // ...so a start queued meanwhile is seen here, or its starter saw the plan and unparks us
        }
        if (next == NONE) {
            LockSupport.park(this);
        } else {
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(this, sleep);
            }
        }
    }

    /** A claimed overdue start: the first of a look runs on this thread, the others go to the CPU pool. */
    private boolean holdIfFree(Runnable continuation) {
        if (held != null) {
            return false;
        }
        held = continuation;
        return true;
    }

    private void runHere(Runnable continuation) {
        long now = System.nanoTime();
        busySince = now != 0 ? now : 1;
        try {
            continuation.run(); // mounts the virtual thread here until it blocks or ends
        } catch (RuntimeException | Error e) {
            // A continuation does not throw; if the JDK's did, the rescuer must go on rescuing.
            LOG.log(System.Logger.Level.WARNING, "vtbridge: a rescued latency-lane start failed on the rescuer", e);
        } finally {
            busySince = 0;
        }
    }

    private long earliestLaneDeadline() {
        long earliest = NONE;
        for (Shard shard : bridge.shards()) {
            earliest = earlier(earliest, shard.loop().nextLaneDeadline());
        }
        return earliest;
    }

    /** The earlier of two {@code nanoTime} deadlines, either of which may be {@link #NONE}. */
    private static long earlier(long a, long b) {
        return a == NONE ? b : b == NONE ? a : (b - a < 0 ? b : a);
    }

    /** The rescuer's thread: a daemon that carries virtual threads, so it must not start pool workers itself. */
    private static final class LaneThread extends Thread implements NonBlockingThread {
        LaneThread(Runnable body, String name) {
            super(body, name);
            setDaemon(true);
        }
    }
}
