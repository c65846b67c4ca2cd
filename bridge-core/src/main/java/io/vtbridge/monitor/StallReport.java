package io.vtbridge.monitor;

import io.vtbridge.BlockingPolicy;
import java.util.Arrays;
import java.util.Objects;

/**
 * One stall of a shard, as the bridge's watchdog saw it: a loop iteration that ran longer than the
 * stall threshold, or a pinned virtual thread the JVM reported (JFR {@code jdk.VirtualThreadPinned}).
 *
 * @param kind         what was seen
 * @param shard        the shard index
 * @param loopThread   the name of the loop (carrier) thread held
 * @param thread       the virtual thread holding it, or {@code null} if the watchdog could not tell
 *                     (a thread started by bridged code itself rather than by the bridge)
 * @param stack        that thread's stack when the stall was seen (the top frame is where it blocked);
 *                     empty when unknown
 * @param nanos        how long it had been stalled when reported
 * @param lock         for {@link Kind#LOOP_BLOCKED}: the lock the carrier waits for; else {@code null}
 * @param lockOwner    for {@link Kind#LOOP_BLOCKED}: who holds that lock, when known; else {@code null}
 * @param handedOff    whether the shard's loop was moved to a fresh carrier ({@link BlockingPolicy#HAND_OFF})
 */
public record StallReport(Kind kind, int shard, String loopThread, Thread thread, StackTraceElement[] stack,
                          long nanos, String lock, String lockOwner, boolean handedOff) {

    /** What the watchdog saw. */
    public enum Kind {
        /** A loop iteration ran longer than the threshold: a carrier-blocking call (java.io, JNI, CPU). */
        STALL,
        /** Also a stall, and the carrier itself waits for a lock (a pinned park, or a monitor on JDK 21–23). */
        LOOP_BLOCKED,
        /** JFR reported a virtual thread of this shard that parked while pinned. */
        PINNED
    }

    public StallReport {
        Objects.requireNonNull(kind, "kind");
        stack = stack == null ? new StackTraceElement[0] : stack.clone();
    }

    /** The stack, a copy. */
    @Override
    public StackTraceElement[] stack() {
        return stack.clone();
    }

    /** A multi-line description: what, where, how long, and the stack. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("vtbridge: shard ").append(shard).append(" (").append(loopThread).append(") ")
                .append(switch (kind) {
                    case STALL -> "stalled";
                    case LOOP_BLOCKED -> "stalled, its carrier blocked on a lock";
                    case PINNED -> "had a virtual thread park while pinned";
                })
                .append(" for ").append(nanos / 1_000_000).append(" ms");
        if (thread != null) {
            sb.append(" by ").append(thread);
        } else {
            sb.append(" by a virtual thread vtbridge did not start");
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

    @Override
    public String toString() {
        return "StallReport[" + kind + ", shard " + shard + ", " + nanos / 1_000_000 + " ms, " + thread
                + (stack.length > 0 ? ", at " + stack[0] : "") + (lock != null ? ", lock " + lock : "")
                + (handedOff ? ", handed off" : "") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StallReport r && kind == r.kind && shard == r.shard && nanos == r.nanos
                && Objects.equals(thread, r.thread) && Arrays.equals(stack, r.stack);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, shard, nanos, thread) * 31 + Arrays.hashCode(stack);
    }
}
