package io.vtbridge.stress;

import io.vtbridge.internal.JdkAccess;
import io.vtbridge.internal.StressHook;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

/**
 * The deterministic scheduler of a stress run: one platform thread (the caller of
 * {@link StressTester#run}) carries every virtual thread of the run, one mount at a time, and at every
 * scheduling point lets a {@link Chooser} pick the next one. Everything a schedule does happens on
 * this one thread in an order the chooser alone decides, so the same seed gives the same schedule
 * for code whose nondeterminism goes through the scheduler.
 *
 * <p>Where the JDK hands the scheduler a continuation: a start (from the parent thread), a resume
 * (from the unparker, here always a thread of the run or the carrier itself), a yield (after the
 * thread unmounted). All of these arrive on the carrier and go to the runnable list in order. A
 * continuation handed over from any other thread (a JDK timer after {@code Thread.sleep}) goes to
 * the {@code external} queue and marks the schedule as not deterministic.
 *
 * <p><b>Threading:</b> everything but {@link #execute} runs on the carrier thread (the methods of
 * {@link StressHook} run in a virtual thread the carrier carries); {@code execute} from any thread.
 */
final class StressCarrier extends StressHook implements Executor {

    /** One virtual thread of the run. */
    static final class Entry {
        final Runnable continuation;
        final Thread thread;
        final String name;
        final int seq;          // order of first appearance in the schedule
        long priority;          // PCT's
        String request;         // what it asked for at its last scheduling point in this mount

        Entry(Runnable continuation, Thread thread, String name, int seq) {
            this.continuation = continuation;
            this.thread = thread;
            this.name = name;
            this.seq = seq;
        }
    }

    private record Timer(long deadline, long seq, Entry entry) {
    }

    /** The blocker a virtual-clock sleep parks with: what a deadlock report shows ({@link Labels} keeps strings as they are). */
    private static final String SLEEP = "sleep";

    private static final int DRAIN_STEPS = 10_000;
    /** Mounts in a row that only yielded after which the earliest timer fires anyway: a thread spinning for another's timer. */
    static final int SPIN_STEPS = 10_000;
    private static final int STRAY_MOUNTS = 10_000;

    private final Thread carrier;
    private final Thread.Builder.OfVirtual builder;
    private final int maxSteps;
    private final long externalWaitNanos;
    private final long deadlockGraceNanos;
    private final MountWatcher watcher;                  // reports a mount held too long; null: none

    private final ConcurrentLinkedQueue<Runnable> external = new ConcurrentLinkedQueue<>();
    // Per schedule, carrier only:
    private final ArrayList<Entry> runnable = new ArrayList<>();
    private final IdentityHashMap<Runnable, Entry> entries = new IdentityHashMap<>();
    private final ArrayList<Entry> threads = new ArrayList<>();          // every thread, in order of appearance
    private final IdentityHashMap<Thread, String> forkNames = new IdentityHashMap<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(
            (a, b) -> a.deadline != b.deadline ? Long.compare(a.deadline, b.deadline) : Long.compare(a.seq, b.seq));
    private final Labels labels = new Labels();
    private final List<String> steps = new ArrayList<>();
    private String scheduleId;
    private Chooser chooser;
    private Entry mounted;
    private long now;
    private long timerSeq;
    private boolean deterministic;
    private boolean deadlockAfterJdkWait; // the schedule's deadlock came after waiting externalWait for a JDK wake-up
    private int generation;            // which schedule this is, for contexts kept past their schedule
    private boolean mountedRequeued;   // the mounted thread asked to run again (a yield) within its mount
    private int yieldStreak;           // mounts in a row that ended in a yield
    private boolean strayMounting;     // running a thread of an earlier schedule, outside any schedule
    private final java.util.ArrayDeque<Runnable> strays = new java.util.ArrayDeque<>(); // their continuations
    private boolean recording;
    private Throwable failure;
    private String failedThread;

    StressCarrier(Thread carrier, int maxSteps, long externalWaitNanos, long deadlockGraceNanos, long stuckMountNanos,
                  java.util.function.Consumer<String> stuckMountSink) {
        this.carrier = carrier;
        this.maxSteps = maxSteps;
        this.externalWaitNanos = externalWaitNanos;
        this.deadlockGraceNanos = deadlockGraceNanos;
        this.watcher = stuckMountNanos > 0 ? new MountWatcher(stuckMountNanos, stuckMountSink) : null;
        this.builder = JdkAccess.virtualThreadBuilder(this);
    }

    /** Makes this the scheduler of the threads the carrier carries. Until {@link #close()}. */
    void open() {
        if (!JdkThreads.canTellThreads(builder)) {
            throw new IllegalStateException("the stress mode needs to tell a virtual thread by its continuation"
                    + " (java.lang.VirtualThread.runContinuation, JDK 21 to 25), which this JDK ("
                    + Runtime.version() + ") does not allow with " + JdkAccess.opensFlag());
        }
        install(carrier, this);
        if (watcher != null) {
            watcher.start();
        }
    }

    void close() {
        uninstall(carrier);
        if (watcher != null) {
            watcher.stop();
        }
    }

    // ---- the JDK's side: Executor ---------------------------------------------------------------

    @Override
    public void execute(Runnable continuation) {
        if (JdkAccess.currentCarrierThread() == carrier) {
            enqueue(continuation);
        } else {
            external.add(continuation);
            LockSupport.unpark(carrier);
        }
    }

    private void enqueue(Runnable continuation) {
        if (strayMounting) {
            strays.add(continuation); // a thread of an earlier schedule: never part of this one
            return;
        }
        Entry e = entries.get(continuation);
        if (e == null) {
            e = register(continuation);
        }
        if (e == mounted) {
            mountedRequeued = true;
        }
        runnable.add(e);
    }

    private Entry register(Runnable continuation) {
        Thread thread = JdkThreads.threadOf(continuation);
        String name = forkNames.get(thread);
        if (name == null) {
            name = thread != null && !thread.getName().isEmpty() ? thread.getName() : "thread-" + (threads.size() + 1);
        }
        Entry e = new Entry(continuation, thread, name, threads.size());
        entries.put(continuation, e);
        threads.add(e);
        if (chooser != null) {
            chooser.added(e);
        }
        return e;
    }

    // ---- one schedule ---------------------------------------------------------------------------

    /** Runs {@code scenario} once under schedule {@code id}. On the carrier thread. */
    Schedule run(ScheduleId id, StressScenario scenario) {
        reset(id);
        RunContext context = new RunContext(this);
        Thread main = builder.name("main").unstarted(() -> {
            try {
                scenario.run(context);
            } catch (Throwable t) {
                fail("main", t);
            }
        });
        forkNames.put(main, "main");
        main.start(); // on the carrier: its start is the first runnable entry
        Schedule.Outcome outcome = loop();
        String waits = outcome == Schedule.Outcome.DEADLOCK ? WaitReport.of(liveThreads(), labels::label) : "";
        if (outcome == Schedule.Outcome.DEADLOCK && deadlockAfterJdkWait) {
            waits += "  a thread above was still in a wait the JDK ends from a thread of its own (a timed wait, a"
                    + " monitor) after externalWait (" + Schedule.formatNanos(externalWaitNanos) + ") of real time:"
                    + " if it is only long, raise StressTester.Builder.externalWait\n";
        }
        if (outcome == Schedule.Outcome.LIVELOCK) {
            waits = "  possible livelock: still running after " + maxSteps + " steps (StressTester.Builder.maxSteps)\n"
                    + WaitReport.of(liveThreads(), labels::label);
        }
        int stepCount = stepNumber;
        long virtual = now;
        boolean exact = deterministic;
        Throwable cause = failure;
        String causeThread = failedThread;
        int abandoned = drain();
        return new Schedule(scheduleId, outcome, cause, causeThread, steps, stepCount, virtual, exact, waits, abandoned);
    }

    private void reset(ScheduleId id) {
        runnable.clear();
        entries.clear();
        threads.clear();
        forkNames.clear();
        timers.clear();
        labels.clear();
        steps.clear();
        scheduleId = id.toString();
        if (watcher != null) {
            watcher.schedule(scheduleId);
        }
        chooser = Chooser.of(id);
        mounted = null;
        now = 0L;
        timerSeq = 0L;
        deterministic = true;
        deadlockAfterJdkWait = false;
        recording = true;
        failure = null;
        failedThread = null;
        yieldStreak = 0;
        generation++;
        runStrays();
    }

    private int stepNumber;

    private Schedule.Outcome loop() {
        stepNumber = 0;
        Entry last = null;
        while (true) {
            takeExternal();
            if (runnable.isEmpty()) {
                List<Entry> live = liveThreads();
                boolean jdkWakes = anyWokenFromOutside(live);
                // A wake-up the JDK sends from a thread of its own comes before the virtual clock moves:
                // a virtual time-out must not fire while such a thread could still end the wait.
                if (!timers.isEmpty() && jdkWakes && waitForExternal(externalWaitNanos)) {
                    continue;
                }
                if (fireNextTimer()) {
                    continue;
                }
                if (live.isEmpty()) {
                    return failure != null ? Schedule.Outcome.FAILED : Schedule.Outcome.PASSED;
                }
                if (failure != null) {
                    return Schedule.Outcome.FAILED; // its threads are left waiting: drain() ends what it can
                }
                if (WaitReport.hasCycle(live)) {
                    return Schedule.Outcome.DEADLOCK; // held in a cycle of the bridge's locks: nothing can end it
                }
                if (waitForExternal(jdkWakes ? externalWaitNanos : deadlockGraceNanos)) {
                    continue;
                }
                deadlockAfterJdkWait = jdkWakes;
                return Schedule.Outcome.DEADLOCK;
            }
            if (yieldStreak >= SPIN_STEPS && !timers.isEmpty()) {
                // Every runnable thread has only yielded for a long time: one spins, waiting for another
                // thread's timer. Let time move, as it would while it spins.
                yieldStreak = 0;
                fireNextTimer();
            }
            if (stepNumber >= maxSteps) {
                return failure != null ? Schedule.Outcome.FAILED : Schedule.Outcome.LIVELOCK;
            }
            Entry next = runnable.remove(chooser.choose(runnable, stepNumber, last));
            stepNumber++;
            mount(next);
            last = next;
        }
    }

    private void mount(Entry e) {
        e.request = null;
        mountedRequeued = false;
        mounted = e;
        if (watcher != null) {
            watcher.mounting(e);
        }
        try {
            e.continuation.run();
        } finally {
            mounted = null;
            if (watcher != null) {
                watcher.unmounted();
            }
        }
        yieldStreak = mountedRequeued ? yieldStreak + 1 : 0;
        if (recording) {
            StringBuilder line = new StringBuilder().append('#').append(stepNumber).append(" RESUME ").append(e.name);
            if (e.request != null) {
                line.append(" | ").append(e.request);
            }
            line.append(" | ").append(ending(e));
            steps.add(line.toString());
        }
    }

    /** How a mount ended: asked to run again (a yield), ended, or waiting. */
    private String ending(Entry e) {
        if (mountedRequeued) {
            return "YIELD";
        }
        Thread t = e.thread;
        if (t == null) {
            return "SUSPEND";
        }
        if (t.getState() == Thread.State.TERMINATED) {
            return "END";
        }
        Object blocker = LockSupport.getBlocker(t);
        return "SUSPEND" + (blocker != null ? " on " + labels.label(blocker) : "");
    }

    /** Fires the earliest timer, moving the clock to it. */
    private boolean fireNextTimer() {
        Timer t = timers.poll();
        if (t == null) {
            return false;
        }
        if (t.deadline > now) {
            if (recording) {
                steps.add("TIME +" + Schedule.formatNanos(t.deadline - now) + " = " + Schedule.formatNanos(t.deadline)
                        + ": wakes " + t.entry.name);
            }
            now = t.deadline;
        }
        LockSupport.unpark(t.entry.thread); // on the carrier: its resume lands in the runnable list
        return true;
    }

    private void takeExternal() {
        Runnable c;
        while ((c = external.poll()) != null) {
            deterministic = false;
            Entry e = entries.get(c);
            if (e == null) {
                // A thread of an earlier schedule, woken late (a JDK timer): it runs between schedules.
                strays.add(c);
                continue;
            }
            runnable.add(e);
            if (recording) {
                steps.add("EXTERNAL wake-up of " + e.name + " (from outside the scheduler)");
            }
        }
    }


    /**
     * Nothing runnable, no timer, threads left. A thread that the JDK wakes from a thread of its own
     * (a timed wait, a monitor) may still be woken from outside: waits for that in real time, up to
     * {@code externalWait}. Otherwise only a wake-up from some thread outside the run can come (a
     * future completed elsewhere): waits the deadlock grace for that. Returns whether one came.
     */
    private boolean waitForExternal(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (external.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(this, left);
        }
        return true;
    }

    /** Whether a live thread waits for a wake-up the JDK sends from a thread of its own ({@link JdkThreads#wokenFromOutside}). */
    private static boolean anyWokenFromOutside(List<Entry> live) {
        for (Entry e : live) {
            if (e.thread != null && JdkThreads.wokenFromOutside(e.thread)) {
                return true;
            }
        }
        return false;
    }

    List<Entry> liveThreads() {
        List<Entry> live = new ArrayList<>();
        for (Entry e : threads) {
            if (e.thread == null || e.thread.getState() != Thread.State.TERMINATED) {
                live.add(e);
            }
        }
        return live;
    }

    /**
     * After a schedule: interrupts the threads left and lets them run (unrecorded, random order, the
     * clock still virtual), so those that respond to interrupts end. Returns how many did not.
     */
    private int drain() {
        recording = false;
        List<Entry> left = liveThreads();
        if (!left.isEmpty()) {
            for (Entry e : left) {
                if (e.thread != null) {
                    e.thread.interrupt();
                }
            }
            chooser = new Chooser.RandomChooser(0L);
            for (int i = 0; i < DRAIN_STEPS; i++) {
                takeExternal();
                if (runnable.isEmpty() && !fireNextTimer()) {
                    break;
                }
                if (!runnable.isEmpty()) {
                    mount(runnable.remove(chooser.choose(runnable, i, null)));
                }
            }
        }
        runnable.clear();
        timers.clear();
        return left.isEmpty() ? 0 : liveThreads().size();
    }

    /**
     * Before a schedule: threads of earlier schedules woken late (continuations that arrived from
     * outside for threads this schedule does not know) run on, unrecorded, outside any schedule,
     * up to a bound; the scheduling hook ignores them ({@link #carries}). What is left is dropped.
     */
    private void runStrays() {
        Runnable c;
        while ((c = external.poll()) != null) {
            strays.add(c);
        }
        strayMounting = true;
        try {
            for (int i = 0; i < STRAY_MOUNTS && (c = strays.poll()) != null; i++) {
                c.run();
            }
        } finally {
            strayMounting = false;
            strays.clear();
        }
    }

    private void fail(String thread, Throwable t) {
        if (!recording) {
            return; // thrown while draining (an interrupted wait): not the schedule's failure
        }
        if (failure == null) {
            failure = t;
            failedThread = thread;
        } else if (failure != t) {
            failure.addSuppressed(t);
        }
    }

    // ---- the primitives' side: StressHook ---------------------------------------------------------

    private Entry mountedEntry() {
        Entry e = mounted;
        if (e == null || (e.thread != null && e.thread != Thread.currentThread())) {
            throw new IllegalStateException("not called from a thread of the stress run: " + Thread.currentThread());
        }
        return e;
    }

    @Override
    protected boolean carries(Thread thread) {
        Entry e = mounted;
        return e != null && e.thread == thread;
    }

    @Override
    protected void schedulingPoint(String action, Object subject) {
        Entry e = mountedEntry();
        e.request = subject == null ? action : action + " " + labels.label(subject); // "REQUEST LOCK BridgeLock#1", "UNLOCK ..."
        Thread.yield();
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void parkUntil(long deadline, Object blocker) {
        Entry e = mountedEntry();
        if (deadline - now <= 0) {
            return;
        }
        Timer timer = new Timer(deadline, timerSeq++, e);
        timers.add(timer);
        try {
            LockSupport.park(blocker);
        } finally {
            timers.remove(timer);
        }
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
        Entry e = mountedEntry();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (nanos <= 0) {
            return;
        }
        long deadline = now + Math.min(nanos, Long.MAX_VALUE / 4);
        e.request = "REQUEST SLEEP " + Schedule.formatNanos(deadline - now);
        while (deadline - now > 0) {
            parkUntil(deadline, SLEEP);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    // ---- what scenario code sees (RunContext) ------------------------------------------------------

    /** Which schedule runs now, counted from 1 (a context checks it was made for this one). */
    int generation() {
        return generation;
    }

    /** Throws unless called from a thread of the current schedule. */
    void checkCaller() {
        mountedEntry();
    }

    /** Starts a thread of the run named {@code name}; what escapes {@code task} fails the schedule. */
    Thread fork(String name, StressContext.Task task) {
        Thread t = builder.name(name).unstarted(() -> {
            try {
                task.run();
            } catch (Throwable failed) {
                fail(name, failed);
            }
        });
        forkNames.put(t, name);
        t.start();
        return t;
    }

    /** The virtual clock, for the scenario's threads. */
    long now() {
        return now;
    }

    /** The current schedule's id. */
    String scheduleId() {
        return scheduleId;
    }
}
