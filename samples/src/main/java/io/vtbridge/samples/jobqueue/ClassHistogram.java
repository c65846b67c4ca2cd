package io.vtbridge.samples.jobqueue;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A heap histogram of live objects by class (the HotSpot diagnostic command {@code GC.class_histogram},
 * the one {@code jcmd} runs; it collects garbage first), for {@code --histogram}: which classes a
 * waiter adds, and how many bytes of each.
 *
 * <p><b>Threading:</b> any thread; a histogram is immutable.
 */
final class ClassHistogram {

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    private record Entry(long instances, long bytes) {
    }

    private final Map<String, Entry> byClass;

    private ClassHistogram(Map<String, Entry> byClass) {
        this.byClass = byClass;
    }

    /** A histogram of the heap now (after a full collection, which the command does). */
    static ClassHistogram take() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[]{new String[0]}, new String[]{String[].class.getName()});
        Map<String, Entry> byClass = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                byClass.merge(m.group(3), new Entry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
                        (a, b) -> new Entry(a.instances + b.instances, a.bytes + b.bytes));
            }
        }
        return new ClassHistogram(byClass);
    }

    /**
     * The {@code top} classes whose bytes grew most since {@code before}, per {@code n} waiters, one
     * line each ({@code bytes per waiter, objects per waiter, class}), then the sum of every class.
     */
    List<String> growthPer(ClassHistogram before, int n, int top) {
        List<Map.Entry<String, long[]>> growth = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Entry> e : byClass.entrySet()) {
            Entry then = before.byClass.getOrDefault(e.getKey(), new Entry(0, 0));
            long bytes = e.getValue().bytes - then.bytes;
            total += bytes;
            growth.add(Map.entry(e.getKey(), new long[]{bytes, e.getValue().instances - then.instances}));
        }
        growth.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        List<String> lines = new ArrayList<>();
        int divisor = Math.max(1, n);
        for (Map.Entry<String, long[]> e : growth.subList(0, Math.min(top, growth.size()))) {
            lines.add(String.format(Locale.ROOT, "  %8.1f B  %6.2f objects  %s", e.getValue()[0] / (double) divisor,
                    e.getValue()[1] / (double) divisor, e.getKey()));
        }
        lines.add(String.format(Locale.ROOT, "  %8.1f B  in all classes", total / (double) divisor));
        return lines;
    }
}
