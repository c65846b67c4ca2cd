package io.vtbridge.adapters.io;

import io.vtbridge.Poison;
import io.vtbridge.adapters.io.internal.Exchange;
import io.vtbridge.adapters.io.internal.InFlight;
import io.vtbridge.internal.VarHandles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One child of a {@link ProcessChannel}: the process, its pipes, the requests written to it and not
 * yet answered ({@link InFlight}), its reader thread and its stderr thread. A child is used until it
 * ends; the channel's writer then starts the next one.
 *
 * <p>The pipes carry framing state: a frame written or read half-way leaves the pipe out of step
 * with the framing. Each direction has a {@link Poison}, armed around every frame (and every
 * flush): a write or read that fails while armed poisons it, the child is stopped, and the writer
 * never writes to it again ({@link #usable()} is false) but starts a new child instead of speaking to
 * this one out of step.
 *
 * <p>How a child ends: it exits or closes its output (the reader reads the end of the stream); a
 * write, read or frame fails (the channel {@link #stop}s it at once with {@code destroyForcibly});
 * the channel closes ({@link #shutDown}: end of input, then {@code destroy}, then
 * {@code destroyForcibly}). In every case the reader thread finishes the job in {@link #end}: it
 * seals the {@link InFlight} queue (the writer adds nothing more), waits for the exit code, waits for
 * the stderr thread to drain the rest, and reports the end: it closes the queue and hands the
 * unanswered requests to {@link ProcessChannel#childEnded}, which fails each one.
 *
 * <p>When the reader cannot end: a process the child started may keep the child's standard output
 * (or error) open after the child exits, and a read of a pipe cannot be interrupted (nor is it ended
 * by closing the stream, on Linux). So the end is reported by whichever comes first, once (a CAS on
 * {@code reported}): the reader, the {@link ExitWatch} ({@link #giveUpAfterExit}: the child exited
 * and its reader made no progress for a grace period), or the channel's close ({@link #giveUp}: its
 * bounded wait ran out). A give-up fails what is in flight, closes the child's output streams from
 * outside (their file descriptors are released; a read under way goes on until the pipe's last
 * writer closes it) and detaches the reader and stderr threads: the channel no longer waits for
 * them, and each ends when that read returns.
 *
 * <p><b>Threading:</b> {@link #send}, {@link #flush} and {@link #closeInput} are the channel's
 * writer thread's; the read loop and {@link #end} run on this child's reader thread;
 * {@link #giveUp} and {@link #giveUpAfterExit} run on the closing thread or an exit watch's;
 * {@link #stop}, {@link #shutDown}, {@link #usable()}, {@link #pid()}, {@link #unanswered()},
 * {@link #readerProgress()}, {@link #isReported()} and {@link #awaitReported} may be called from any
 * thread.
 */
final class ChildSession {

    /** How long the reader waits for a child that closed its output to exit before it kills it. */
    private static final Duration EXIT_AFTER_EOF = Duration.ofSeconds(2);
    /** How long anything waits for a killed child, or for its stderr to drain, before giving up. */
    static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private static final VarHandle STOP_CAUSE = VarHandles.field(MethodHandles.lookup(), "stopCause", Throwable.class);
    private static final VarHandle REPORTED = VarHandles.field(MethodHandles.lookup(), "reported", boolean.class);

    private final ProcessChannel channel;
    private final Process process;
    private final long pid;
    private final OutputStream stdin;                  // the writer thread only
    private final InputStream stdout;                  // read by the reader thread only; closed from outside by a give-up
    private final Poison<OutputStream> stdinFraming;   // armed by the writer around each frame and flush
    private final Poison<InputStream> stdoutFraming;   // armed by the reader around each frame
    private final InFlight inFlight;
    private final StderrTail stderr;                   // null when stderr is not piped to the channel
    private final Thread reader;
    private final Thread stderrThread;                 // null when stderr is not piped to the channel
    private final CountDownLatch reportDone = new CountDownLatch(1); // opened when the end's report has failed every unanswered request
    private volatile Throwable stopCause;              // why the channel stopped the child: set once by CAS (first cause wins), read by the reader
    private volatile boolean reported;                 // false until the end is claimed for reporting: set once by CAS (reader, exit watch or close)
    private volatile Thread reporter;                  // the thread reporting the end, written once after the claim; compared with the current thread
    private volatile boolean outputEnded;              // written by the reader when its read loop is over; read by the exit watch for its message
    private volatile long readerProgress;              // written by the reader only: +1 when a frame is read, +1 when it has been handed on

    private ChildSession(ProcessChannel channel, Process process, int generation) {
        this.channel = channel;
        this.process = process;
        this.pid = process.pid();
        this.stdin = process.getOutputStream();
        this.stdout = process.getInputStream();
        this.stdinFraming = new Poison<>("stdin framing of child pid " + pid, stdin);
        this.stdoutFraming = new Poison<>("stdout framing of child pid " + pid, stdout);
        this.inFlight = new InFlight(channel.discardedCounter());
        String prefix = channel.name() + "-child" + generation;
        this.reader = channel.newThread(prefix + "-reader", this::readLoop);
        if (channel.piped()) {
            this.stderr = new StderrTail(process.getErrorStream(), channel.stderrTailBytes());
            this.stderrThread = channel.newThread(prefix + "-stderr", stderr);
        } else {
            this.stderr = null;
            this.stderrThread = null;
        }
    }

    /** Starts a child with {@code builder}, its threads and the watch of its exit. */
    static ChildSession start(ProcessChannel channel, ProcessBuilder builder, int generation) throws IOException {
        ChildSession child = new ChildSession(channel, builder.start(), generation);
        channel.childStarted(child);
        if (child.stderrThread != null) {
            child.stderrThread.start();
        }
        child.reader.start();
        ExitWatch.watch(child, child.process);
        return child;
    }

    long pid() {
        return pid;
    }

    /** Requests written to this child and not answered. */
    int unanswered() {
        return inFlight.size();
    }

    /** Whether the writer may still send to this child: not ended, not stopped, its input in step. */
    boolean usable() {
        return stopCause == null && !stdinFraming.isPoisoned() && !inFlight.isClosed() && process.isAlive();
    }

    // ---- the writer's side ----------------------------------------------------------------------

    /**
     * Adds {@code x} to the requests in flight, then writes its frame. A failed write stops the
     * child; {@code x} is then failed by the reader with the rest.
     *
     * @return false if the child has ended: {@code x} was not written and is still the writer's
     */
    boolean send(Exchange x) {
        if (!inFlight.add(x)) {
            return false;
        }
        try {
            stdinFraming.run(out -> writeFrame(out, x.payload()));
        } catch (UncheckedIOException e) {
            stop(e.getCause());
        } catch (RuntimeException | Error e) { // a framing's own failure, or PoisonedException
            stop(e);
        }
        return true;
    }

    private void writeFrame(OutputStream out, byte[] payload) {
        try {
            channel.framing().writeFrame(out, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // Poison.run records it as the poisoning's cause
        }
    }

    /** Pushes the frames written so far to the child. */
    void flush() {
        try {
            stdinFraming.run(out -> {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            stop(e.getCause());
        } catch (RuntimeException | Error e) {
            stop(e);
        }
    }

    /** Flushes and closes the child's input: a well-behaved child answers what it has read and exits. */
    void closeInput() {
        try {
            stdin.close();
        } catch (IOException alreadyGone) {
            // the child closed its end, or it is gone: nothing left to tell it
        }
    }

    // ---- stopping -------------------------------------------------------------------------------

    /**
     * Stops the child at once ({@code destroyForcibly}): its pipes are out of step, or the channel
     * gives up on it. The first cause is kept for the death report. Idempotent.
     */
    void stop(Throwable cause) {
        STOP_CAUSE.compareAndSet(this, null, cause); // a later cause is a consequence of the first
        process.destroyForcibly();
    }

    /**
     * The channel's close, after its writer closed this child's input: waits {@code grace} for the
     * child to exit on its own, then {@code destroy()}s it and waits {@code grace} more, then
     * {@code destroyForcibly()}s it. The reader reports the end as for any other.
     */
    void shutDown(Duration grace) {
        if (waitForExit(grace)) {
            return;
        }
        process.destroy();
        if (!waitForExit(grace)) {
            process.destroyForcibly();
        }
    }

    // ---- the reader's side ----------------------------------------------------------------------

    private void readLoop() {
        Throwable failure = null;
        try {
            for (byte[] frame = readFrame(); frame != null; frame = readFrame()) {
                readerProgress++; // odd: handing a frame on (a dependent stage may run here for long)
                Exchange head = inFlight.deliver(frame);
                readerProgress++; // even: back to reading
                if (head == null) {
                    failure = new IOException("child pid " + pid + " sent a response with no request in flight:"
                            + " its output is not in step with its input");
                    break;
                }
            }
        } catch (UncheckedIOException e) {
            failure = e.getCause();
        } catch (Throwable e) { // a framing's own failure, or PoisonedException: out of step either way
            failure = e;
        }
        end(failure);
    }

    /** One frame, read as an armed section: a frame read half-way poisons the output's framing. */
    private byte[] readFrame() {
        return stdoutFraming.call(in -> {
            try {
                return channel.framing().readFrame(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The child's output ended or failed: fail what it had in flight and report its end, unless that was done from outside. */
    private void end(Throwable readFailure) {
        outputEnded = true;
        if (reported) {
            return; // given up on from outside while this read waited: its requests have failed
        }
        inFlight.seal(); // from here on the writer sends elsewhere
        if (readFailure != null) {
            stop(readFailure); // out of step: no grace
        }
        int exitCode = awaitExitCode();
        if (stderrThread != null && !ProcessChannel.join(stderrThread, KILL_WAIT)) {
            channel.detach(stderrThread); // a process the child started holds its stderr: no more waiting for it
        }
        if (claimReport()) {
            String tail = stderr != null ? stderr.tail() : "";
            report(exitCode, tail, stopCause);
        }
    }

    // ---- giving up from outside -----------------------------------------------------------------

    /**
     * The {@link ExitWatch}'s give-up: the child exited a while ago, and its reader has made no
     * progress since (it waits in a read of a pipe another process holds open, or for the stderr
     * thread that does). Does nothing if the end was reported, or is being, by anyone else.
     */
    void giveUpAfterExit(Duration waited) {
        String held = outputEnded ? "closed its standard output, but its standard error is still open"
                : "but its standard output is still open";
        giveUp(new IOException("child pid " + pid + " exited " + held + " " + waited.toMillis() + " ms later, held by"
                + " another process (one it started?): its unanswered requests can never be answered"));
    }

    /**
     * Reports the end from outside the reader, with {@code why} as the cause: fails what is still in
     * flight, closes the child's output streams and detaches its reader and stderr threads (see the
     * class comment). The channel's close calls it when its bounded wait runs out.
     *
     * @return false if the end was already claimed by another (its report fails the requests)
     */
    boolean giveUp(IOException why) {
        if (!claimReport()) {
            return false;
        }
        Throwable stoppedFor = stopCause;
        if (stoppedFor != null) {
            why.addSuppressed(stoppedFor);
        }
        channel.detach(reader);
        if (stderrThread != null) {
            channel.detach(stderrThread);
        }
        closeQuietly(stdout);           // a read under way goes on; the next one fails at once
        if (stderr != null) {
            closeQuietly(process.getErrorStream());
        }
        int exitCode = process.isAlive() ? ProcessDiedException.UNKNOWN_EXIT_CODE : process.exitValue();
        report(exitCode, stderr != null ? stderr.tail() : "", why);
        return true;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    // ---- reporting the end ----------------------------------------------------------------------

    /** The claim of the report: true for exactly one of the reader, the exit watch and the closer. */
    private boolean claimReport() {
        return REPORTED.compareAndSet(this, false, true);
    }

    /** After the claim: closes the in-flight queue and has the channel fail what it returns. */
    private void report(int exitCode, String tail, Throwable cause) {
        reporter = Thread.currentThread();
        try {
            List<Exchange> unanswered = inFlight.close(); // racing a deliver by a reader that just woke: each goes one way
            channel.childEnded(this, exitCode, tail, cause, unanswered);
        } finally {
            reportDone.countDown();
            channel.childReported(this);
        }
    }

    /** Whether the end has been claimed for reporting (the report may still be under way). */
    boolean isReported() {
        return reported;
    }

    /**
     * Waits up to {@code bound} for the end's report to finish, finishing the wait if interrupted
     * (the status is kept); true at once if the calling thread is the one reporting it (a dependent
     * stage of a request it fails).
     */
    boolean awaitReported(Duration bound) {
        if (reporter == Thread.currentThread()) {
            return true;
        }
        boolean interrupted = false;
        try {
            long deadline = System.nanoTime() + bound.toNanos();
            while (true) {
                try {
                    return reportDone.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The reader's progress, for the exit watch: changes with every frame read; odd while the reader
     * hands a frame on (completes its future and runs the stages that completion triggers).
     */
    long readerProgress() {
        return readerProgress;
    }

    /** The exit code; a child that closed its output but lives is given a moment, then killed. */
    private int awaitExitCode() {
        if (!waitForExit(EXIT_AFTER_EOF)) {
            process.destroyForcibly();
            if (!waitForExit(KILL_WAIT)) {
                return ProcessDiedException.UNKNOWN_EXIT_CODE;
            }
        }
        return process.exitValue();
    }

    private boolean waitForExit(Duration bound) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return process.waitFor(bound.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true; // finish the wait: the child's end must be reported
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "child pid " + pid + (usable() ? "" : " (ended or stopped)");
    }
}
