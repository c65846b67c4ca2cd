package io.vtbridge;

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
 * loop. Meanwhile later overdue starts wait: for their loop, which still takes them as soon as it
 * can, or for this thread. A lane task is meant to be short before it blocks; one that holds its
 * carrier long (a CPU loop, a blocking {@code java.io} read) holds the rescues back as long, never a
 * loop.
 *
 * <p>Waking: a starter queues its start on the loop's list, then reads the rescuer's planned wake-up
 * and unparks it if the start is due earlier; the rescuer plans its wake-up, then reads the lists
 * again before it parks ({@link LaneAlarm}, a Dekker pair; jcstress: {@code LaneAlarmTest}).
 *
 * <p>The thread is started by the bridge's {@link WorkerStarter} (on the watchdog's thread), not by
 * the starter of the first lane task, which may be a bridged thread on a loop's carrier; a start
 * queued before the thread runs is seen by its first look at the lists.
 *
 * <p><b>Threading:</b> {@link #urgentQueued} from any thread; {@link #stop} by the bridge's lifecycle
 * code; the rest on the rescuer's thread, which alone uses {@code held}.
 */
final class LaneRescuer {

    private static final System.Logger LOG = System.getLogger(LaneRescuer.class.getName());
    private static final long NONE = ShardLoop.NO_DEADLINE;
    /** How far ahead an idle rescuer plans its wake-up: later than any start's deadline, wrap-safe. */
    private static final long IDLE_PLAN_NANOS = 1L << 62;

    private final Bridge bridge;
    private final WorkerStarter starter;
    private final LaneAlarm alarm = new LaneAlarm(); // when the rescuer looks next: planned before it parks, read by urgentQueued()
    private final Object lifecycle = new Object();   // orders the thread's start against stop()
    private volatile Thread thread;                  // null until started
    private volatile boolean startQueued;            // set once: the start was handed to the starter
    private volatile boolean stopping;               // set by stop()
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
            Thread t = new Thread(this::run, bridge.name() + "-lane");
            t.setDaemon(true);
            try {
                t.start();
            } catch (OutOfMemoryError | RuntimeException e) {
                // No thread: the loops still run every lane start, only without a rescue.
                LOG.log(System.Logger.Level.WARNING, "vtbridge: the latency lane's rescuer did not start", e);
                return;
            }
            thread = t;
        }
    }

    /** Stops the rescuer and waits for it (at most 5 s: a rescued start may hold its carrier). Idempotent. */
    void stop() {
        Thread t;
        synchronized (lifecycle) {
            stopping = true;
            t = thread;
        }
        if (t == null) {
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The rescuer's thread, or null before it started. For tests and diagnostics. */
    Thread thread() {
        return thread;
    }

    private void run() {
        while (!stopping) {
            long now = System.nanoTime();
            long next = NONE;
            for (Shard shard : bridge.shards()) {
                next = earlier(next, shard.loop().rescueOverdueStarts(now, takeHere));
            }
            Runnable mine = held;
            if (mine != null) {
                held = null;
                runHere(mine);
                continue; // time has passed: look at the lists again
            }
            long wakeAt = next != NONE ? next : now + IDLE_PLAN_NANOS;
            alarm.plan(wakeAt); // a volatile store, then the loads of the lists' heads below...
            long earliest = earliestLaneDeadline();
            if (earliest != NONE && earliest - wakeAt < 0) {
                continue; // ...so a start queued meanwhile is seen here, or its starter saw the plan and unparks us
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
    }

    /** A claimed overdue start: the first of a look runs on this thread, the others go to the CPU pool. */
    private boolean holdIfFree(Runnable continuation) {
        if (held != null) {
            return false;
        }
        held = continuation;
        return true;
    }

    private static void runHere(Runnable continuation) {
        try {
            continuation.run(); // mounts the virtual thread here until it blocks or ends
        } catch (RuntimeException | Error e) {
            // A continuation does not throw; if the JDK's did, the rescuer must go on rescuing.
            LOG.log(System.Logger.Level.WARNING, "vtbridge: a rescued latency-lane start failed on the rescuer", e);
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
}
