package io.vtbridge.samples.load;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The last resort that keeps a sample's run bounded in time: if the run has not ended
 * ({@link #close()}) within its bound, a thread dump of the whole JVM, virtual threads included,
 * is written to a temporary file, one line on standard error names the sample, the bound and the
 * file, the child processes the JVM started are killed, and the JVM halts with exit code 1.
 *
 * <p>A sample's own waits are bounded, but the code it measures is not always willing to end: a
 * foreign library that loops inside a call never returns, and a shutdown that interrupts the
 * threads still inside it can then wait for ever (interrupting a thread in a {@code FileChannel}
 * call closes the channel, and the close waits until every thread in it has left). The deadline is
 * for the command line only: a sample run from Java (a test) has its own time limit. A halt skips
 * the run's own clean-up: its temporary files stay.
 *
 * <p>The end and the expiry are decided once, by a compare-and-set: a {@link #close()} that comes
 * first stops the action for good; one that comes after the expiry was decided is too late (the
 * halt follows). The dump gets {@link #DUMP_WAIT} to finish; the halt comes then whatever it did.
 *
 * <p><b>Threading:</b> {@link #start} from any thread; {@link #close()} from any thread, any
 * number of times. The watch is one daemon platform thread, the dump another.
 */
public final class RunDeadline implements AutoCloseable {

    /** How long the expiry waits for the thread dump before it acts anyway. */
    static final Duration DUMP_WAIT = Duration.ofSeconds(30);

    private static final int RUNNING = 0;
    private static final int CLOSED = 1;
    private static final int EXPIRED = 2;

    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread watch;

    private RunDeadline(String sample, Duration bound, Consumer<String> onExpiry) {
        long nanos = TimeUnit.NANOSECONDS.convert(bound); // saturates: a bound of centuries waits "for ever"
        this.watch = Thread.ofPlatform().daemon().name(sample + "-deadline").unstarted(() -> {
            try {
                if (ended.await(nanos, TimeUnit.NANOSECONDS) || !state.compareAndSet(RUNNING, EXPIRED)) {
                    return; // the run ended first
                }
            } catch (InterruptedException e) {
                return; // nobody interrupts the watch; ending quietly is the only sane reading
            }
            String dump = "The thread dump was not written.";
            try {
                dump = dumpWithin(sample, DUMP_WAIT);
            } finally {
                onExpiry.accept(expiredMessage(sample, bound, dump));
            }
        });
    }

    /**
     * Starts the watch of a run of {@code sample} that must end within {@code bound}; on expiry it
     * dumps the threads, prints where to {@code System.err}, kills the JVM's child processes and
     * halts the JVM with exit code 1.
     *
     * @throws IllegalArgumentException if {@code bound} is not positive
     */
    public static RunDeadline start(String sample, Duration bound) {
        return start(sample, bound, message -> {
            try {
                PrintStream err = System.err;
                err.println(message);
                err.flush();
                ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            } finally {
                Runtime.getRuntime().halt(1);
            }
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

    /** The run ended: unless the expiry was decided already, the watch ends without acting. */
    @Override
    public void close() {
        state.compareAndSet(RUNNING, CLOSED);
        ended.countDown();
    }

    /** Waits up to {@code timeout} for the watch thread to end (tests). */
    boolean awaitWatchEnd(Duration timeout) throws InterruptedException {
        return watch.join(timeout);
    }

    /** Whether the watch thread is a daemon (tests: it must not keep a JVM alive). */
    boolean watchIsDaemon() {
        return watch.isDaemon();
    }

    static String expiredMessage(String sample, Duration bound, String dump) {
        return sample + ": the run did not end within " + bound.toSeconds() + " s (something it measures is stuck);"
                + " stopping the JVM with exit code 1. " + dump;
    }

    /** {@link #dumpThreads} on a daemon thread of its own, waited for up to {@code wait}: a dump may block too. */
    static String dumpWithin(String sample, Duration wait) {
        CompletableFuture<String> dump = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(sample + "-thread-dump").start(() -> dump.complete(dumpThreads(sample)));
        try {
            return dump.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (Exception notInTime) {
            return "The thread dump did not finish within " + wait.toSeconds() + " s.";
        }
    }

    /** Writes a thread dump of this JVM (virtual threads too) to a new temporary file; says where, or why not. */
    static String dumpThreads(String sample) {
        try {
            Path dir = Files.createTempDirectory("vtbridge-" + sample + "-stuck-");
            Path file = dir.resolve("threads.txt").toAbsolutePath();
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            return "The threads, virtual ones included, are in " + file;
        } catch (Throwable e) {
            return "The thread dump could not be written: " + e;
        }
    }
}
