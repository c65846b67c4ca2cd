package io.vtbridge.samples.jobqueue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The parent's handle on a child JVM running {@link WaitClients#main}: starts it, reads its
 * {@code SENT} and {@code DONE} lines, and ends it. The child runs the JDK's {@code java} with this
 * class's own class path entry (a folder or jar: the child needs nothing else).
 *
 * <p><b>Threading:</b> one thread (the sample's driver) calls every method; one platform thread,
 * {@code loadgen-child-output}, reads the child's output into a queue until the child's end.
 */
final class WaiterChild implements AutoCloseable {

    private static final String EOF = "\u0000eof";                 // queued when the child's output ends
    private static final int TAIL_LINES = 20;

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final ArrayDeque<String> tail = new ArrayDeque<>();    // driver thread only: what the child said last

    private WaiterChild(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "loadgen-child-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a child that opens {@code count} long polls on {@code jobId} (see {@link WaitClients#main}). */
    static WaiterChild start(int port, long jobId, long since, int count, double perSecond, long timeoutSeconds)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx1g", "-XX:+UseSerialGC", "-cp", ownClassPath(),
                WaitClients.class.getName(), String.valueOf(port), String.valueOf(jobId), String.valueOf(since),
                String.valueOf(count), String.valueOf(perSecond), String.valueOf(timeoutSeconds));
        return new WaiterChild(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Waits up to {@code max} for {@code SENT}; returns how many the child sent. */
    int awaitSent(Duration max) throws InterruptedException {
        return Integer.parseInt(awaitLine("SENT ", max).substring(5));
    }

    /** Waits up to {@code max} for {@code DONE} and for the child's exit; returns its tally. */
    WaitClients.Tally awaitDone(Duration max) throws InterruptedException {
        WaitClients.Tally tally = WaitClients.Tally.parse(awaitLine("DONE ", max));
        process.waitFor(10, TimeUnit.SECONDS);
        return tally;
    }

    /**
     * Closes the child's input (it exits if still running), then kills it if it has not exited in 5 s
     * (at once if the calling thread is interrupted, which keeps its interrupt status).
     */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the child is gone already
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String awaitLine(String prefix, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(EOF)) {
                throw new IllegalStateException("the waiters' child JVM " + (line == null ? "said no '" + prefix.strip()
                        + "' within " + max.toSeconds() + " s" : "ended without '" + prefix.strip() + "'")
                        + "; its last lines: " + String.join(" | ", tail));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(line);
        }
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("output unreadable: " + e);
        }
        lines.add(EOF);
    }

    /** The folder or jar this class was loaded from. */
    private static String ownClassPath() {
        try {
            return Path.of(WaitClients.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where " + WaitClients.class.getName() + " was loaded from", e);
        }
    }
}
