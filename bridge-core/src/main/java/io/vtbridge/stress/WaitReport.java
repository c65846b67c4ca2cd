package io.vtbridge.stress;

import io.vtbridge.sync.ExclusiveSync;
import io.vtbridge.sync.SharedExclusiveSync;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The text of what each waiting thread of a schedule waits for, who holds it, and the cycle of
 * waits if there is one ("main waits for BridgeLock#1 held by a; a waits for BridgeLock#2 held by
 * b; b waits for BridgeLock#1 held by a").
 *
 * <p><b>Threading:</b> the stress carrier's thread, between mounts.
 */
final class WaitReport {

    private static final int FRAMES = 4;

    private WaitReport() {
    }

    static String of(List<StressCarrier.Entry> waiting, Function<Object, String> label) {
        Map<StressCarrier.Entry, StressCarrier.Entry> waitsFor = waitsFor(waiting);
        StringBuilder b = new StringBuilder("  waiting threads:\n");
        for (StressCarrier.Entry e : waiting) {
            Object blocker = e.thread == null ? null : LockSupport.getBlocker(e.thread);
            Thread holder = holderOf(blocker);
            b.append("    ").append(e.name).append(": ");
            if (blocker == null) {
                b.append(e.thread == null ? "unknown" : e.thread.getState().toString());
            } else {
                b.append("waits for ").append(label.apply(blocker));
                if (holder != null) {
                    StressCarrier.Entry h = waitsFor.get(e);
                    b.append(" held by ").append(h != null ? h.name : holder.getName().isEmpty() ? holder.toString() : holder.getName());
                } else {
                    b.append(holderText(blocker));
                }
            }
            b.append('\n');
            if (e.thread != null) {
                int shown = 0;
                for (StackTraceElement f : e.thread.getStackTrace()) {
                    if (shown < FRAMES && !internal(f.getClassName())) {
                        b.append("        at ").append(f).append('\n');
                        shown++;
                    }
                }
            }
        }
        String cycle = cycle(waiting, waitsFor, label);
        if (cycle != null) {
            b.append("  deadlock cycle: ").append(cycle).append('\n');
        }
        return b.toString();
    }

    /**
     * Whether the waiting threads {@code waiting} hold each other in a cycle through the bridge's
     * locks: a deadlock that no thread outside the run can end (it holds none of those locks).
     */
    static boolean hasCycle(List<StressCarrier.Entry> waiting) {
        return cycle(waiting, waitsFor(waiting), o -> "") != null;
    }

    /** Who waits for whom among {@code waiting}: through the bridge's locks, whose holders are known. */
    private static Map<StressCarrier.Entry, StressCarrier.Entry> waitsFor(List<StressCarrier.Entry> waiting) {
        Map<Thread, StressCarrier.Entry> byThread = new IdentityHashMap<>();
        for (StressCarrier.Entry e : waiting) {
            if (e.thread != null) {
                byThread.put(e.thread, e);
            }
        }
        Map<StressCarrier.Entry, StressCarrier.Entry> waitsFor = new IdentityHashMap<>();
        for (StressCarrier.Entry e : waiting) {
            Thread holder = e.thread == null ? null : holderOf(LockSupport.getBlocker(e.thread));
            StressCarrier.Entry h = holder == null ? null : byThread.get(holder);
            if (h != null) {
                waitsFor.put(e, h);
            }
        }
        return waitsFor;
    }

    /** The thread that holds what {@code blocker} guards, where the bridge's primitives can tell. */
    private static Thread holderOf(Object blocker) {
        if (blocker instanceof ExclusiveSync lock) {
            return lock.owner();
        }
        if (blocker instanceof SharedExclusiveSync rw) {
            return rw.writerSnapshot();
        }
        return null;
    }

    private static String holderText(Object blocker) {
        if (blocker instanceof SharedExclusiveSync rw) {
            int readers = rw.readHoldsSnapshot();
            return readers > 0 ? " (" + readers + " read hold" + (readers == 1 ? "" : "s") + ")" : "";
        }
        if (blocker instanceof ExclusiveSync) {
            return " (free: the grant is on its way)";
        }
        String kind = blocker.getClass().getName();
        if (kind.equals("io.vtbridge.sync.LockCondition")) {
            return " (a signal nobody is left to send)";
        }
        if (kind.equals("io.vtbridge.BridgeSemaphore$Sync")) {
            return " (a permit nobody is left to release)";
        }
        return "";
    }

    private static boolean internal(String className) {
        return className.startsWith("java.lang.VirtualThread") || className.startsWith("jdk.internal.")
                || className.startsWith("java.lang.System$")
                || className.startsWith("java.util.concurrent.locks.") || className.startsWith("io.vtbridge.sync.")
                || className.startsWith("io.vtbridge.internal.") || className.startsWith("io.vtbridge.stress.")
                || className.equals("java.lang.Continuation");
    }

    /** The first cycle in the waits-for graph, as text, or {@code null}. */
    private static String cycle(List<StressCarrier.Entry> waiting, Map<StressCarrier.Entry, StressCarrier.Entry> waitsFor,
                                Function<Object, String> label) {
        for (StressCarrier.Entry start : waiting) {
            List<StressCarrier.Entry> path = new ArrayList<>();
            StressCarrier.Entry at = start;
            while (at != null && !path.contains(at)) {
                path.add(at);
                at = waitsFor.get(at);
            }
            if (at != null) {
                StringBuilder b = new StringBuilder();
                for (int i = path.indexOf(at); i < path.size(); i++) {
                    StressCarrier.Entry e = path.get(i);
                    StressCarrier.Entry h = waitsFor.get(e);
                    if (b.length() > 0) {
                        b.append("; ");
                    }
                    b.append(e.name).append(" waits for ").append(label.apply(LockSupport.getBlocker(e.thread)))
                            .append(" held by ").append(h.name);
                }
                return b.toString();
            }
        }
        return null;
    }
}
