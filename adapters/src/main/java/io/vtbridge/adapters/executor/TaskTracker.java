package io.vtbridge.adapters.executor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The run state of one {@link BridgeExecutorService} and the tasks it has accepted and not yet
 * ended: what {@code shutdown}, {@code shutdownNow} and termination decide on.
 *
 * <p>One {@code long}, {@code ctl}, holds the run state and two counts, so that accepting a task and
 * shutting down are one CAS each and cannot miss each other:
 * <pre>
 *   bits 62-63  state
 *   bits 32-61  registering: accepted, not yet in the task set (a submitter between its CAS and its add)
 *   bits  0-31  active:      accepted, not yet ended (registering ones included)
 * </pre>
 * Run states, forward only (CAS on {@code ctl}, counts kept):
 * <pre>
 *   RUNNING  -> SHUTDOWN    shutdown()                    no new tasks; accepted ones run to their end
 *   RUNNING  -> STOP        shutdownNow()                 no new tasks; unstarted ones drained, running ones interrupted
 *   SHUTDOWN -> STOP        shutdownNow()
 *   SHUTDOWN -> TERMINATED  tryTerminate(), active == 0   whoever sees the last count go: the last task's end, or the shutdown
 *   STOP     -> TERMINATED  tryTerminate(), active == 0
 * </pre>
 * A task counts as <em>ended</em> when its body has returned or thrown, or when it was claimed before
 * its start (drained by {@code shutdownNow}, cancelled, or abandoned by a closed bridge): exactly one
 * {@link #ended} per accepted task, called by whoever claimed it ({@link ServiceTask}). Termination
 * needs no lock: once the state has left RUNNING, {@code active} only falls, so the thread whose
 * decrement reaches zero and the thread whose state change finds it zero both try the one CAS to
 * TERMINATED, and one of them wins (jcstress {@code ExecutorTerminationTest}).
 *
 * <p>The task set is a {@link ConcurrentHashMap} key set holding each accepted task until it ends.
 * Every task in it holds a slot of the bridge's in-flight table, or is between its acceptance here
 * and its admission by the bridge (one per thread inside {@code execute}/{@code submit}), so it never
 * holds more than the bridge's {@code maxInFlight} plus the number of submitting threads.
 * {@code shutdownNow} waits until {@code registering} is zero before it walks the set, so every task
 * accepted before its state change is in the set when the walk starts (jcstress
 * {@code ExecutorAcceptVersusShutdownNowTest}); the wait is a submitter's few instructions between its CAS and
 * its add.
 *
 * <p><b>Threading:</b> every method may be called from any thread. {@link #ended} exactly once per
 * task that {@link #accept} accepted.
 */
final class TaskTracker {

    private static final int STATE_SHIFT = 62;
    static final int RUNNING = 0;
    static final int SHUTDOWN = 1;
    static final int STOP = 2;
    static final int TERMINATED = 3;

    private static final long ONE_ACTIVE = 1L;
    private static final long ACTIVE_MASK = 0xFFFF_FFFFL;
    private static final long ONE_REGISTERING = 1L << 32;
    private static final long REGISTERING_MASK = ((1L << 30) - 1) << 32;

    private static final VarHandle CTL = handle("ctl", long.class);

    private final String name;
    private final CompletionStage<Void> bridgeTermination;                  // the bridge's terminationFuture(); null: none (tests)
    private final Set<ServiceTask<?>> tasks = ConcurrentHashMap.newKeySet(); // added by accept(), removed by ended(), walked by shutdownNow() and isRunningTask()
    private final CountDownLatch terminated = new CountDownLatch(1);          // opened by the CAS to TERMINATED

    private volatile long ctl; // see the layout above; changed only by CAS and getAndAdd

    /** @param name the service's name, for messages */
    TaskTracker(String name) {
        this(name, null);
    }

    /**
     * @param name              the service's name, for messages
     * @param bridgeTermination the bridge's {@code terminationFuture()}: a task still running when it
     *                          completes was abandoned by the bridge ({@link ServiceTask#accept})
     */
    TaskTracker(String name, CompletionStage<Void> bridgeTermination) {
        this.name = name;
        this.bridgeTermination = bridgeTermination;
    }

    String name() {
        return name;
    }

    /** The bridge's termination, or null. */
    CompletionStage<Void> bridgeTermination() {
        return bridgeTermination;
    }

    // ---- tasks ----------------------------------------------------------------------------------

    /**
     * Accepts {@code task} while the state is RUNNING: counts it active and adds it to the set.
     *
     * @return whether it was accepted; if so, {@link #ended} must follow exactly once
     */
    boolean accept(ServiceTask<?> task) {
        while (true) {
            long c = ctl;
            if (stateOf(c) != RUNNING) {
                return false;
            }
            // Accepted from here on: a shutdown CAS after this one sees active > 0, and a shutdownNow()
            // waits for the registering count to fall before it walks the set.
            if (CTL.compareAndSet(this, c, c + ONE_REGISTERING + ONE_ACTIVE)) {
                break;
            }
        }
        tasks.add(task);
        CTL.getAndAdd(this, -ONE_REGISTERING); // after the add: a shutdownNow() that sees the count fall sees the task in the set
        return true;
    }

    /**
     * A task accepted here has ended (ran to its end, or was claimed before its start). The last one
     * after a shutdown terminates the service.
     */
    void ended(ServiceTask<?> task) {
        tasks.remove(task); // before the decrement: whoever sees the service terminated sees an empty set
        long c = (long) CTL.getAndAdd(this, -ONE_ACTIVE) - ONE_ACTIVE;
        if (stateOf(c) != RUNNING && activeOf(c) == 0) {
            tryTerminate();
        }
    }

    /** Tasks accepted and not ended (a snapshot). */
    int active() {
        return (int) activeOf(ctl);
    }

    /**
     * Whether {@code thread} is running the body of one of this service's tasks, or completing the
     * future of one (and the future's dependent stages): after its run, or after claiming it before
     * its start ({@link ServiceTask#isRunBy}). O(tasks in flight); only {@code close()} and
     * {@code awaitTermination} ask, about their own thread, to refuse to wait for themselves.
     */
    boolean isRunningTask(Thread thread) {
        for (ServiceTask<?> task : tasks) {
            if (task.isRunBy(thread)) {
                return true;
            }
        }
        return false;
    }

    // ---- run state ------------------------------------------------------------------------------

    /** RUNNING -> SHUTDOWN (if still RUNNING); terminates at once if nothing is active. */
    void shutdown() {
        advance(SHUTDOWN);
        tryTerminate();
    }

    /**
     * Moves to STOP, then claims every accepted task that has not started (its {@link ServiceTask#drain}
     * wins, so its bridged thread will find it taken and return) and interrupts every running one.
     *
     * @return the drained tasks, in the form {@code shutdownNow()} returns them
     */
    List<Runnable> shutdownNow() {
        advance(STOP);
        // No accept can succeed any more; wait for the ones that succeeded to put their task in the set.
        while ((ctl & REGISTERING_MASK) != 0) {
            Thread.yield(); // a submitter between its CAS and its add; in bridged code it may share our carrier
        }
        List<Runnable> drained = new ArrayList<>();
        for (ServiceTask<?> task : tasks) {
            if (task.drain()) { // cancels its future and reports it ended
                drained.add(task.asDrained());
            } else {
                task.interruptRun(); // running: interrupted once; claimed otherwise: nothing to do
            }
        }
        tryTerminate();
        return drained;
    }

    boolean isShutdown() {
        return stateOf(ctl) != RUNNING;
    }

    boolean isTerminated() {
        return stateOf(ctl) == TERMINATED;
    }

    /** The state, one of the constants above (a snapshot). */
    int state() {
        return stateOf(ctl);
    }

    /**
     * Waits until terminated, at most {@code nanos}.
     *
     * @return whether the service is terminated
     * @throws InterruptedException if interrupted while waiting (not when already terminated, nor
     *                              when {@code nanos <= 0}: those answer at once, as the JDK's pools do)
     */
    boolean awaitTermination(long nanos) throws InterruptedException {
        if (isTerminated()) {
            return true;
        }
        if (nanos <= 0) {
            return false;
        }
        return terminated.await(nanos, TimeUnit.NANOSECONDS);
    }

    /** Waits until terminated, with no bound. */
    void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    private void advance(int target) {
        while (true) {
            long c = ctl;
            if (stateOf(c) >= target || CTL.compareAndSet(this, c, (c & ~(3L << STATE_SHIFT)) | ((long) target << STATE_SHIFT))) {
                return;
            }
        }
    }

    /** SHUTDOWN or STOP with nothing active -> TERMINATED, once; opens the latch. */
    private void tryTerminate() {
        while (true) {
            long c = ctl;
            int state = stateOf(c);
            if (state == RUNNING || state == TERMINATED || activeOf(c) != 0) {
                return;
            }
            // active == 0 implies registering == 0 (a registering task is counted active), and no
            // accept can raise it again outside RUNNING: the CAS below loses only to shutdownNow's
            // SHUTDOWN -> STOP, and the loop retries.
            if (CTL.compareAndSet(this, c, (long) TERMINATED << STATE_SHIFT)) {
                terminated.countDown();
                return;
            }
        }
    }

    private static int stateOf(long c) {
        return (int) (c >>> STATE_SHIFT);
    }

    private static long activeOf(long c) {
        return c & ACTIVE_MASK;
    }

    @Override
    public String toString() {
        long c = ctl;
        return switch (stateOf(c)) {
            case RUNNING -> "running";
            case SHUTDOWN -> "shutdown";
            case STOP -> "stop";
            default -> "terminated";
        } + ", active=" + activeOf(c);
    }

    private static VarHandle handle(String field, Class<?> type) {
        try {
            return MethodHandles.lookup().findVarHandle(TaskTracker.class, field, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
