package io.vtbridge.stress;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Deterministic names for the objects a schedule's threads ask for and wait on: the kind and the
 * order of first appearance in the schedule ({@code BridgeLock#2}, {@code CountDownLatch.Sync#1}),
 * never an identity hash, so the text of a schedule is the same in every run of it. A string is its
 * own name.
 *
 * <p><b>Threading:</b> the stress carrier's thread only; cleared before each schedule.
 */
final class Labels {

    private final IdentityHashMap<Object, String> names = new IdentityHashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();

    String label(Object o) {
        if (o instanceof String s) {
            return s;
        }
        String l = names.get(o);
        if (l == null) {
            String kind = kindOf(o);
            int n = counts.merge(kind, 1, Integer::sum);
            l = kind + "#" + n;
            names.put(o, l);
        }
        return l;
    }

    void clear() {
        names.clear();
        counts.clear();
    }

    private static String kindOf(Object o) {
        String cn = o.getClass().getName();
        return switch (cn) {
            case "io.vtbridge.sync.ExclusiveSync" -> "BridgeLock";
            case "io.vtbridge.sync.SharedExclusiveSync" -> "BridgeReadWriteLock";
            case "io.vtbridge.BridgeSemaphore$Sync" -> "BridgeSemaphore";
            case "io.vtbridge.sync.LockCondition" -> "Condition";
            default -> {
                Class<?> c = o.getClass();
                Class<?> outer = c.getEnclosingClass();
                String simple = c.getSimpleName().isEmpty() ? cn : c.getSimpleName();
                yield outer != null ? outer.getSimpleName() + "." + simple : simple; // CountDownLatch.Sync: a join
            }
        };
    }
}
