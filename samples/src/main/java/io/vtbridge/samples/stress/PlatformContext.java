package io.vtbridge.samples.stress;

import io.vtbridge.stress.StressContext;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link StressContext} on plain platform threads, for running a stress scenario the way a test
 * would without the stress mode: {@link #fork} starts a daemon platform thread (so a hung scenario
 * does not keep the JVM alive), {@link #point} is {@code Thread.yield()}, the clock is the JVM's.
 * The operating system (or a tool that controls the threads) chooses the interleaving.
 *
 * <p><b>Threading:</b> one instance per run of a scenario; {@link #fork} from the scenario's threads,
 * the other methods from any thread.
 */
public final class PlatformContext implements StressContext {

    private final String scheduleId;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile Throwable failure;

    /** @param scheduleId what {@link #scheduleId()} answers (these runs have no replayable schedule) */
    public PlatformContext(String scheduleId) {
        this.scheduleId = scheduleId;
    }

    /** The first throwable a forked thread (or {@link #fail}) reported, or {@code null}. */
    public Throwable failure() {
        return failure;
    }

    /** Records {@code t} as the run's failure unless one was recorded first. */
    public void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    /** The threads forked so far. */
    public List<Thread> threads() {
        return threads;
    }

    @Override
    public Thread fork(String name, Task task) {
        Thread t = Thread.ofPlatform().daemon().name(name).unstarted(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                fail(e);
            }
        });
        threads.add(t);
        t.start();
        return t;
    }

    /** Each task in a new daemon platform thread, as {@link #fork}. */
    @Override
    public java.util.concurrent.Executor executor() {
        return task -> fork("task", task::run);
    }

    @Override
    public void point() {
        Thread.yield();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public String scheduleId() {
        return scheduleId;
    }
}
