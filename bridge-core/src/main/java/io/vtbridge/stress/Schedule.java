package io.vtbridge.stress;

import java.util.List;
import java.util.Optional;

/**
 * One schedule a stress run explored: its id (give it to {@link StressTester#replay} to run exactly
 * this schedule again), how it ended, and its steps in the bridge's event model: each step is one
 * mount of one thread ({@code RESUME name}), what it asked for at its scheduling point
 * ({@code REQUEST LOCK BridgeLock#1}), and how the mount ended ({@code YIELD}, {@code SUSPEND on ...},
 * {@code END}); lines starting with {@code TIME} are the virtual clock jumping to a deadline.
 *
 * <p>Objects are named by kind and first appearance ({@code BridgeLock#2}), threads by the names
 * given to {@link StressContext#fork}, so the text of a schedule is the same in every run of it.
 *
 * <p><b>Threading:</b> immutable.
 */
public final class Schedule {

    /** How a schedule ended. */
    public enum Outcome {
        /** Every thread ended and nothing failed. */
        PASSED,
        /** A thread of the run (the scenario's body, or one it forked) threw. */
        FAILED,
        /** Threads are left that wait with nothing runnable and no timer pending: {@link #report()} names them. */
        DEADLOCK,
        /** The schedule ran past the step bound: a possible livelock (or a bound set too low). */
        LIVELOCK
    }

    private static final int REPORT_STEPS = 60;

    private final String id;
    private final Outcome outcome;
    private final Throwable failure;
    private final String failedThread;
    private final List<String> steps;
    private final int stepCount;
    private final long virtualNanos;
    private final boolean deterministic;
    private final String waits;
    private final int abandonedThreads;

    Schedule(String id, Outcome outcome, Throwable failure, String failedThread, List<String> steps, int stepCount, long virtualNanos,
             boolean deterministic, String waits, int abandonedThreads) {
        this.id = id;
        this.outcome = outcome;
        this.failure = failure;
        this.failedThread = failedThread;
        this.steps = List.copyOf(steps);
        this.stepCount = stepCount;
        this.virtualNanos = virtualNanos;
        this.deterministic = deterministic;
        this.waits = waits;
        this.abandonedThreads = abandonedThreads;
    }

    /** The id to replay this schedule with ({@link StressTester#replay}). */
    public String id() {
        return id;
    }

    /** How it ended. */
    public Outcome outcome() {
        return outcome;
    }

    /** Whether it passed. */
    public boolean passed() {
        return outcome == Outcome.PASSED;
    }

    /** What a thread threw ({@link Outcome#FAILED}; later throwables are suppressed in it). */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** The name of the thread that threw {@link #failure()}. */
    public Optional<String> failedThread() {
        return Optional.ofNullable(failedThread);
    }

    /** Every step and clock jump, in order. */
    public List<String> steps() {
        return steps;
    }

    /** How many mounts the schedule took. */
    public int stepCount() {
        return stepCount;
    }

    /** How far the virtual clock moved, in nanoseconds. */
    public long virtualNanos() {
        return virtualNanos;
    }

    /**
     * Whether every wake-up came from the run's own threads and clock. {@code false} when a thread was
     * woken from outside the scheduler (a JDK timer after {@code Thread.sleep} or a timed JDK park,
     * another thread of the process): such a schedule may not replay exactly.
     */
    public boolean deterministic() {
        return deterministic;
    }

    /**
     * Threads of this schedule that were still waiting when it ended ({@link Outcome#DEADLOCK},
     * {@link Outcome#LIVELOCK}, or a failure that left them) and did not end when interrupted: they
     * stay parked, holding no carrier.
     */
    public int abandonedThreads() {
        return abandonedThreads;
    }

    /** A text for a person: outcome, cause, what each waiting thread waits for, how to replay, the steps (the last 60). */
    public String report() {
        StringBuilder b = new StringBuilder();
        b.append("schedule ").append(id).append(": ").append(outcome).append(" after ").append(stepCount)
                .append(" steps, virtual time ").append(formatNanos(virtualNanos));
        if (!deterministic) {
            b.append(" (not deterministic: a wake-up came from outside the scheduler)");
        }
        b.append('\n');
        if (failure != null) {
            b.append("  cause, in thread ").append(failedThread).append(": ").append(failure).append('\n');
        }
        if (waits != null && !waits.isEmpty()) {
            b.append(waits);
        }
        b.append("  replay: StressTester.replay(\"").append(id).append("\", scenario)")
                .append(" or @StressTest(replay = \"").append(id).append("\")\n");
        int from = Math.max(0, steps.size() - REPORT_STEPS);
        b.append(from == 0 ? "  steps:\n" : "  last " + (steps.size() - from) + " of " + steps.size() + " lines:\n");
        for (int i = from; i < steps.size(); i++) {
            b.append("    ").append(steps.get(i)).append('\n');
        }
        return b.toString();
    }

    static String formatNanos(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.6f s", nanos / 1e9);
    }

    @Override
    public String toString() {
        return "Schedule[" + id + ", " + outcome + ", " + stepCount + " steps]";
    }
}
