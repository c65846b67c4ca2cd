package io.vtbridge.samples.load;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The last resort that keeps a sample's run bounded in time: if the run has not ended
 * ({@link #close()}) within its bound, a thread dump of the whole JVM, virtual threads included,
 * is written to a temporary file, one line on standard error names the sample, the bound and the
 * file, and the JVM halts with exit code 1.
 *
 * <p>A sample's own waits are bounded, but the code it measures is not always willing to end: a
 * foreign library that loops inside a call never returns, and a shutdown that interrupts the
 * threads still inside it can then wait for ever (interrupting a thread in a {@code FileChannel}
 * call closes the channel, and the close waits until every thread in it has left). The deadline is
 * for the command line only: a sample run from Java (a test) has its own time limit.
 *
 * <p><b>Threading:</b> {@link #start} from any thread; {@link #close()} from any thread, any
 * number of times. The watch is one daemon platform thread.
 */
public final class RunDeadline implements AutoCloseable {

    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread watch;

    private RunDeadline(String sample, Duration bound, Consumer<String> onExpiry) {
        this.watch = Thread.ofPlatform().daemon().name(sample + "-deadline").unstarted(() -> {
            try {
                if (!ended.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
                    onExpiry.accept(expiredMessage(sample, bound, dumpThreads(sample)));
                }
            } catch (InterruptedException e) {
                // nobody interrupts the watch; ending quietly is the only sane reading
            }
        });
    }

    /**
     * Starts the watch of a run of {@code sample} that must end within {@code bound}; on expiry it
     * dumps the threads, prints where to {@code System.err} and halts the JVM with exit code 1.
     *
     * @throws IllegalArgumentException if {@code bound} is not positive
     */
    public static RunDeadline start(String sample, Duration bound) {
        return start(sample, bound, message -> {
            PrintStream err = System.err;
            err.println(message);
            err.flush();
            Runtime.getRuntime().halt(1);
        });
    }

    /** {@link #start(String, Duration)} with another action on expiry (tests): it gets the message. */
    static RunDeadline start(String sample, Duration bound, Consumer<String> onExpiry) {
        Objects.requireNonNull(sample, "sample");
        Objects.requireNonNull(onExpiry, "onExpiry");
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("a run's bound must be positive: " + bound);
        }
        RunDeadline deadline = new RunDeadline(sample, bound, onExpiry);
        deadline.watch.start();
        return deadline;
    }

    /** The run ended: the watch ends without acting. */
    @Override
    public void close() {
        ended.countDown();
    }

    static String expiredMessage(String sample, Duration bound, String dump) {
        return sample + ": the run did not end within " + bound.toSeconds() + " s (something it measures is stuck);"
                + " stopping the JVM with exit code 1. " + dump;
    }

    /** Writes a thread dump of this JVM (virtual threads too) to a new temporary file; says where, or why not. */
    static String dumpThreads(String sample) {
        try {
            Path dir = Files.createTempDirectory("vtbridge-" + sample + "-stuck-");
            Path file = dir.resolve("threads.txt");
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            return "The threads, virtual ones included, are in " + file;
        } catch (IOException | RuntimeException e) {
            return "The thread dump could not be written: " + e;
        }
    }
}
