package io.vtbridge.fray;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Measures each {@code @ConcurrencyTest} method: Fray's iterations (one JUnit invocation each) up to
 * the first failure, and the wall time from the start of the first iteration to the end of the
 * failing one (Fray stops at the first failure). Appends one row per method to
 * {@code fray.comparison.csv}: {@code bug,tool,strategy,repeat,tries_to_failure,wall_ms_to_failure,found}
 * (when nothing failed: the iterations run and their time, found=false); the failure itself goes to
 * {@code <csv>-detail.csv}, and the JVM's start-up up to the first iteration to {@code <csv>-startup.csv}.
 *
 * <p><b>Threading:</b> JUnit's callbacks, one test at a time (not synchronized: the JVM is Fray's, keep
 * monitors out of the measurement).
 */
public final class Meter implements BeforeEachCallback, TestWatcher, AfterAllCallback {

    private static final class State {
        long start;
        int count;
        boolean done;
    }

    private static final Map<String, State> STATES = new LinkedHashMap<>();
    private static boolean firstIteration = true;
    private static boolean wroteThisJvm;

    private static String key(ExtensionContext c) {
        return c.getRequiredTestClass().getName() + "#" + c.getRequiredTestMethod().getName();
    }

    @Override
    public void beforeEach(ExtensionContext c) {
        if (firstIteration) {
            firstIteration = false;
            long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
            long ms = System.currentTimeMillis() - jvmStart;
            append(sibling("-startup.csv"), "repeat,jvm_start_to_first_iteration_ms", repeat() + "," + ms);
        }
        State s = STATES.computeIfAbsent(key(c), k -> new State());
        if (s.count == 0) {
            s.start = System.nanoTime();
        }
        s.count++;
    }

    @Override
    public void testFailed(ExtensionContext c, Throwable cause) {
        State s = STATES.get(key(c));
        if (s == null || s.done) {
            return;
        }
        s.done = true;
        write(c.getRequiredTestClass(), c.getRequiredTestMethod().getName(), s, true, String.valueOf(cause));
    }

    @Override
    public void afterAll(ExtensionContext c) {
        String prefix = c.getRequiredTestClass().getName() + "#";
        for (Map.Entry<String, State> e : STATES.entrySet()) {
            State s = e.getValue();
            if (e.getKey().startsWith(prefix) && !s.done) {
                s.done = true;
                write(c.getRequiredTestClass(), e.getKey().substring(prefix.length()), s, false, "not found");
            }
        }
    }

    private static void write(Class<?> cls, String method, State s, boolean found, String detail) {
        long ms = (System.nanoTime() - s.start) / 1_000_000;
        Strategy st = cls.getAnnotation(Strategy.class);
        String row = String.join(",", Bugs.byMethod(method).name(), "fray", st == null ? cls.getSimpleName() : st.value(),
                repeat(), String.valueOf(s.count), String.valueOf(ms), String.valueOf(found));
        append(csv(), "bug,tool,strategy,repeat,tries_to_failure,wall_ms_to_failure,found", row);
        String clean = detail.replace(',', ';').replace('\n', ' ');
        append(sibling("-detail.csv"), "bug,tool,strategy,repeat,tries_to_failure,wall_ms_to_failure,found,detail",
                row + "," + clean);
        System.out.println("MEASURE " + row + "," + clean);
    }

    private static String repeat() {
        return System.getProperty("fray.comparison.repeat", "1");
    }

    private static Path csv() {
        return Path.of(System.getProperty("fray.comparison.csv", "target/fray-comparison.csv"));
    }

    private static Path sibling(String suffix) {
        Path csv = csv();
        String name = csv.getFileName().toString().replaceFirst("\\.csv$", "");
        return csv.resolveSibling(name + suffix);
    }

    /** Appends {@code row}; repeat 1 starts the files afresh (its first write in this JVM). */
    private static void append(Path file, String header, String row) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!wroteThisJvm && "1".equals(repeat())) {
                for (Path p : new Path[] {csv(), sibling("-detail.csv"), sibling("-startup.csv")}) {
                    Files.deleteIfExists(p);
                }
            }
            wroteThisJvm = true;
            if (!Files.exists(file)) {
                Files.writeString(file, header + "\n");
            }
            Files.writeString(file, row + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void testSuccessful(ExtensionContext c) {
    }

    @Override
    public void testAborted(ExtensionContext c, Throwable t) {
    }

    @Override
    public void testDisabled(ExtensionContext c, Optional<String> r) {
    }
}
