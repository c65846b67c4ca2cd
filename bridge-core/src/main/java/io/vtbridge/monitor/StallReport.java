package io.vtbridge.monitor;

import io.vtbridge.BlockingPolicy;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One stall of a shard, as the bridge's watchdog saw it. Two different things hold a shard up, and
 * the report says which:
 * <ul>
 *   <li>a <em>hog</em> ({@link Kind#HOG}, {@link Kind#LOOP_BLOCKED}): one mount of one virtual thread
 *       held the loop's carrier longer than the stall threshold (a carrier-blocking call, or long CPU
 *       work without a pause); the report names that thread and the stack it had while it still
 *       held the carrier;</li>
 *   <li><em>loop lag</em> ({@link Kind#LAG}): one turn of the loop ran longer than the threshold, made
 *       of many mounts none of which was that long; the report blames no thread, and gives the
 *       mounts and what they were (starts, resumes by kind).</li>
 * </ul>
 * A third thing looks like a hog from the outside: a machine with more runnable threads than CPUs
 * can leave the loop's carrier waiting for a CPU in the middle of a short mount. Where the kernel
 * shows that the carrier is runnable but hardly ran (Linux), such a stall is {@link Kind#STARVED}:
 * no thread is blamed, and under {@link BlockingPolicy#HAND_OFF} the loop is not moved (a fresh
 * carrier would wait for the same CPUs). {@link Kind#PINNED} is the JVM's own report of a virtual
 * thread that parked while pinned (JFR {@code jdk.VirtualThreadPinned}).
 *
 * <p>A named thread was mounted on the shard's carrier when the watchdog looked, and still was after
 * it took the stack: {@code threadDescription} is the thread as it was then ({@link Thread#toString()}
 * then), even if the thread has ended since.
 *
 * @param kind              what was seen
 * @param shard             the shard index
 * @param loopThread        the name of the loop (carrier) thread held
 * @param thread            for a hog, the virtual thread holding the carrier, or {@code null} if the
 *                          watchdog could not tell (a thread started by bridged code itself rather than
 *                          by the bridge, or a mount that ended while it looked); for a lag, {@code null}
 * @param threadDescription that thread as it was when seen mounted, or {@code null}
 * @param stack             that thread's stack when the stall was seen (the top frame is where it
 *                          blocked); empty when unknown
 * @param nanos             how long the mount (hog) or the turn (lag) had lasted when reported
 * @param lock              for {@link Kind#LOOP_BLOCKED}: the lock the carrier waits for; else {@code null}
 * @param lockOwner         for {@link Kind#LOOP_BLOCKED}: who holds that lock, when known; else {@code null}
 * @param handedOff         whether the shard's loop was moved to a fresh carrier ({@link BlockingPolicy#HAND_OFF})
 * @param mounts            for a lag, the mounts the turn was made of; for a hog, 1; for PINNED, 0
 * @param mountsByCause     for a lag, those mounts by what made them runnable, as far as the
 *                          watchdog saw them (from its first look at the turn); else empty
 * @param cpuWaitNanos      for a hog or {@link Kind#STARVED}, how long of {@code cpuWindowNanos} the
 *                          carrier was not on a CPU: waiting for one, or blocked (the kernel state is
 *                          read at one moment, these over the window); else 0
 * @param cpuRunNanos       likewise, how long of it the carrier ran on a CPU
 * @param cpuWindowNanos    the part of the mount those two were measured over (from the watchdog's
 *                          second look at it); 0 where the carrier's CPU time is not known
 */
public record StallReport(Kind kind, int shard, String loopThread, Thread thread, String threadDescription,
                          StackTraceElement[] stack, long nanos, String lock, String lockOwner, boolean handedOff,
                          long mounts, Map<DelayCause, Long> mountsByCause, long cpuWaitNanos, long cpuRunNanos,
                          long cpuWindowNanos) {

    /** What the watchdog saw. */
    public enum Kind {
        /** One mount held the loop's carrier longer than the threshold: a carrier-blocking call (java.io, JNI) or long CPU work. */
        HOG,
        /** A hog whose thread itself waits for a lock while it holds the carrier (a pinned park, or a monitor on JDK 21–23). */
        LOOP_BLOCKED,
        /** One loop turn ran longer than the threshold, made of many shorter mounts: no single thread is to blame. */
        LAG,
        /** JFR reported a virtual thread of this shard that parked while pinned. */
        PINNED,
        /**
         * One mount lasted longer than the threshold, but the loop's carrier ran for less than a
         * quarter of the time looked at (and less than a quarter of the threshold) and is runnable,
         * waiting for a CPU: the machine is overloaded; no thread is to blame.
         */
        STARVED
    }

    /** Copies the stack and the map. */
    public StallReport {
        Objects.requireNonNull(kind, "kind");
        stack = stack == null ? new StackTraceElement[0] : stack.clone();
        EnumMap<DelayCause, Long> causes = new EnumMap<>(DelayCause.class);
        if (mountsByCause != null) {
            causes.putAll(mountsByCause);
        }
        mountsByCause = Collections.unmodifiableMap(causes);
    }

    /** The stack, a copy. */
    @Override
    public StackTraceElement[] stack() {
        return stack.clone();
    }

    /** A multi-line description: what, where, how long, the culprit (or the mounts), and the stack. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("vtbridge: shard ").append(shard).append(" (").append(loopThread).append(") ")
                .append(switch (kind) {
                    case HOG -> "was held by one mount";
                    case LOOP_BLOCKED -> "was held by one mount, its carrier blocked on a lock";
                    case LAG -> "lagged: one turn";
                    case PINNED -> "had a virtual thread park while pinned";
                    case STARVED -> "was held up inside one mount";
                })
                .append(" for ").append(nanos / 1_000_000).append(" ms");
        if (kind == Kind.STARVED) {
            sb.append(String.format(Locale.ROOT, ": its carrier ran %.1f ms of the last %.1f ms and is runnable, waiting"
                            + " for a CPU (more runnable threads than CPUs: no thread is to blame)",
                    cpuRunNanos / 1e6, cpuWindowNanos / 1e6));
        } else if (kind == Kind.LAG) {
            sb.append(", ").append(mounts).append(" mounts, none of them that long");
            if (!mountsByCause.isEmpty()) {
                sb.append(" (").append(contributors()).append(")");
            }
        } else if (threadDescription != null) {
            sb.append(" by ").append(threadDescription);
        } else {
            sb.append(" by a virtual thread the watchdog could not name");
        }
        if (lock != null) {
            sb.append("; waiting for ").append(lock);
            if (lockOwner != null) {
                sb.append(" held by ").append(lockOwner);
            }
        }
        if (handedOff) {
            sb.append("; the loop moved to a fresh carrier (HAND_OFF)");
        }
        for (StackTraceElement frame : stack) {
            sb.append("\n\tat ").append(frame);
        }
        return sb.toString();
    }

    /** The causes of a lag's mounts, most first: {@code "PARK 1,500, START 300"}. */
    private String contributors() {
        return mountsByCause.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<DelayCause, Long>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    @Override
    public String toString() {
        return "StallReport[" + kind + ", shard " + shard + ", " + nanos / 1_000_000 + " ms"
                + (kind == Kind.LAG ? ", " + mounts + " mounts"
                        : kind == Kind.STARVED ? ", ran " + cpuRunNanos / 1_000_000 + " of " + cpuWindowNanos / 1_000_000 + " ms"
                        : ", " + threadDescription)
                + (stack.length > 0 ? ", at " + stack[0] : "") + (lock != null ? ", lock " + lock : "")
                + (handedOff ? ", handed off" : "") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StallReport r && kind == r.kind && shard == r.shard && nanos == r.nanos
                && mounts == r.mounts && Objects.equals(thread, r.thread) && Arrays.equals(stack, r.stack);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, shard, nanos, mounts, thread) * 31 + Arrays.hashCode(stack);
    }
}
