package io.vtbridge.jcstress.harness;

import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.GradingResult;
import org.openjdk.jcstress.infra.grading.TestGrading;
import org.openjdk.jcstress.infra.runners.TestList;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Runs jcstress and turns its results into a build verdict: exit 0 only if every selected test ran
 * and every run of it graded as passed.
 *
 * <p>jcstress 0.16 alone is not a reliable gate. It throws (exit 1) on FORBIDDEN results, but it
 * exits 0 after "FATAL: No matching tests" (a {@code -t} filter that matches nothing, or tests that
 * need more actors than the machine has CPUs), and it dies with a bare {@code NullPointerException}
 * in {@code TestList} when the annotation processor never ran (JDK 23+ without
 * {@code <proc>full</proc>}). This gate checks all of that itself and says which one happened:
 * <ol>
 *   <li>the classpath carries a non-empty {@code META-INF/TestList} (the processor ran);</li>
 *   <li>the {@code -t} filter selects at least one test;</li>
 *   <li>jcstress runs (in this VM; it forks its own VMs for the tests) and writes its result file;</li>
 *   <li>every selected test has results with samples, status NORMAL, and no FORBIDDEN outcome.</li>
 * </ol>
 * It then prints one block per test: verdict, samples, and the count of every outcome.
 *
 * <p>Usage: the jcstress command line, e.g. {@code java -cp jcstress.jar
 * io.vtbridge.jcstress.harness.JcstressGate -m quick}. {@code -l}, {@code -p} and {@code -h} are
 * handed to jcstress unchanged.
 */
public final class JcstressGate {

    private JcstressGate() {
    }

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            if (a.equals("-l") || a.equals("-p") || a.equals("-h")) {
                org.openjdk.jcstress.Main.main(args); // listing, re-parsing or help: nothing to gate
                return;
            }
        }

        int generated = generatedTestCount();
        if (generated == 0) {
            fail("no jcstress tests on the classpath: META-INF/TestList is missing or empty, so the jcstress "
                    + "annotation processor did not run. On JDK 23+ maven-compiler-plugin needs <proc>full</proc> "
                    + "with jcstress-core on the processor path (see jcstress-tests/pom.xml).");
        }

        Options opts = new Options(args);
        if (!opts.parse()) {
            fail("jcstress rejected the options " + String.join(" ", args) + " (see its message above).");
        }
        JCStress jcstress = new JCStress(opts);
        SortedSet<String> selected = jcstress.getTests();
        if (selected.isEmpty()) {
            fail("the test filter -t \"" + opts.getTestFilter() + "\" matches none of the " + generated
                    + " generated tests: jcstress would run zero tests.");
        }

        Throwable thrown = null;
        try {
            jcstress.run();
        } catch (AssertionError e) {
            thrown = e; // jcstress's own "TEST FAILURES" verdict; the grading below says the same, per test
        } catch (Exception e) {
            thrown = e;
            e.printStackTrace();
        }

        Path resultFile = Path.of(opts.getResultFile());
        if (!Files.isRegularFile(resultFile)) {
            fail("jcstress wrote no result file (" + resultFile.toAbsolutePath() + "): it ran zero of the "
                    + selected.size() + " selected tests. Look above for \"FATAL: No matching tests\" "
                    + "(tests needing more actors than the " + Runtime.getRuntime().availableProcessors()
                    + " CPUs here are skipped) or \"No JVM configurations\"."
                    + (thrown == null ? "" : " jcstress threw: " + thrown));
        }
        Map<String, List<TestResult>> byTest = readResults(resultFile);

        List<String> problems = new ArrayList<>();
        System.out.println();
        System.out.println("==== vtbridge jcstress gate: mode \"" + modeOf(args) + "\", " + selected.size()
                + " selected test(s), result file " + resultFile.toAbsolutePath());
        for (String test : selected) {
            List<TestResult> runs = byTest.getOrDefault(test, List.of());
            problems.addAll(report(test, runs));
        }
        for (String test : byTest.keySet()) {
            if (!selected.contains(test)) {
                problems.add(test + ": has results but was not selected (stale result file?)");
            }
        }
        if (thrown != null && problems.isEmpty()) {
            problems.add("jcstress itself failed: " + thrown);
        }

        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            sb.append(problems.size()).append(" problem(s) in ").append(selected.size()).append(" test(s):");
            for (String p : problems) {
                sb.append(System.lineSeparator()).append("  - ").append(p);
            }
            fail(sb.toString());
        }
        System.out.println("==== vtbridge jcstress gate: PASSED, " + selected.size() + " test(s), no FORBIDDEN outcome, no error");
    }

    /** Prints one test's block; returns what is wrong with it (empty when it passed). */
    private static List<String> report(String test, List<TestResult> runs) {
        List<String> problems = new ArrayList<>();
        if (runs.isEmpty()) {
            System.out.println("  NO RESULT  " + test);
            problems.add(test + ": selected but produced no result (skipped by jcstress, or its fork VM died)");
            return problems;
        }
        long samples = 0;
        boolean passed = true;
        Status status = Status.NORMAL;
        Map<String, GradingResult> outcomes = new TreeMap<>();
        Map<String, Long> counts = new TreeMap<>();
        Set<String> messages = new LinkedHashSet<>();
        for (TestResult run : runs) {
            samples += run.getTotalCount();
            status = status.combine(run.status());
            TestGrading grading = run.grading();
            passed &= grading.isPassed;
            messages.addAll(grading.failureMessages);
            if (run.status() != Status.NORMAL) {
                messages.addAll(run.getMessages());
            }
            for (GradingResult g : grading.gradingResults.values()) {
                outcomes.putIfAbsent(g.id, g);
                counts.merge(g.id, g.count, Long::sum);
            }
        }
        String verdict = status != Status.NORMAL ? "ERROR " : !passed ? "FAILED" : samples == 0 ? "EMPTY " : "PASSED";
        System.out.printf("  %s  %s  (%d run(s), %,d samples)%n", verdict, test, runs.size(), samples);
        for (GradingResult g : outcomes.values()) {
            System.out.printf("      %-22s %-22s %,14d  %s%n", g.id, g.expect, counts.get(g.id), g.description);
        }
        if (status != Status.NORMAL) {
            problems.add(test + ": status " + status + " " + messages);
        } else if (!passed) {
            problems.add(test + ": FORBIDDEN outcome(s) " + messages);
        } else if (samples == 0) {
            problems.add(test + ": ran but recorded zero samples");
        }
        return problems;
    }

    private static Map<String, List<TestResult>> readResults(Path file) throws IOException, ClassNotFoundException {
        InProcessCollector collector = new InProcessCollector();
        DiskReadCollector reader = new DiskReadCollector(file.toString(), collector);
        try {
            reader.dump();
        } finally {
            reader.close();
        }
        Map<String, List<TestResult>> byTest = new TreeMap<>();
        for (TestResult r : collector.getTestResults()) {
            byTest.computeIfAbsent(r.getName(), k -> new ArrayList<>()).add(r);
        }
        return byTest;
    }

    /** The number of tests the annotation processor listed, without tripping TestList's NPE. */
    private static int generatedTestCount() throws IOException {
        try (InputStream in = JcstressGate.class.getResourceAsStream(TestList.LIST)) {
            if (in == null || in.readAllBytes().length == 0) {
                return 0;
            }
        }
        return TestList.tests().size();
    }

    private static String modeOf(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-m")) {
                return args[i + 1];
            }
        }
        return "default";
    }

    private static void fail(String message) {
        System.out.flush();
        System.err.println();
        System.err.println("==== vtbridge jcstress gate: FAILED");
        System.err.println(message);
        System.err.flush();
        System.exit(1);
    }
}
