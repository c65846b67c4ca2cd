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
 * closes the {@link InFlight} queue (the writer can add nothing more), waits for the exit code,
 * waits for the stderr thread to drain the rest, and hands the unanswered requests to
 * {@link ProcessChannel#childEnded}, which fails each one.
 *
 * <p><b>Threading:</b> {@link #send}, {@link #flush} and {@link #closeInput} are the channel's
 * writer thread's; the read loop and {@link #end} run on this child's reader thread; {@link #stop},
 * {@link #shutDown}, {@link #usable()}, {@link #pid()} and {@link #unanswered()} may be called from
 * any thread.
 */
final class ChildSession {

    /** How long the reader waits for a child that closed its output to exit before it kills it. */
    private static final Duration EXIT_AFTER_EOF = Duration.ofSeconds(2);
    /** How long anything waits for a killed child, or for its stderr to drain, before giving up. */
    static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private static final VarHandle STOP_CAUSE = VarHandles.field(MethodHandles.lookup(), "stopCause", Throwable.class);

    private final ProcessChannel channel;
    private final Process process;
    private final long pid;
    private final OutputStream stdin;                  // the writer thread only
    private final InputStream stdout;                  // the reader thread only
    private final Poison<OutputStream> stdinFraming;   // armed by the writer around each frame and flush
    private final Poison<InputStream> stdoutFraming;   // armed by the reader around each frame
    private final InFlight inFlight;
    private final StderrTail stderr;                   // null when stderr is not piped to the channel
    private final Thread reader;
    private final Thread stderrThread;                 // null when stderr is not piped to the channel
    private volatile Throwable stopCause;              // why the channel stopped the child: set once by CAS (first cause wins), read by the reader

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

    /** Starts a child with {@code builder} and its threads. */
    static ChildSession start(ProcessChannel channel, ProcessBuilder builder, int generation) throws IOException {
        ChildSession child = new ChildSession(channel, builder.start(), generation);
        if (child.stderrThread != null) {
            child.stderrThread.start();
        }
        child.reader.start();
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

    /** Waits up to {@code bound} for this child's reader and stderr threads to end. */
    void awaitThreads(Duration bound) {
        ProcessChannel.join(reader, bound);
        if (stderrThread != null) {
            ProcessChannel.join(stderrThread, bound);
        }
    }

    // ---- the reader's side ----------------------------------------------------------------------

    private void readLoop() {
        Throwable failure = null;
        try {
            for (byte[] frame = readFrame(); frame != null; frame = readFrame()) {
                if (inFlight.deliver(frame) == null) {
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

    /** The child's output ended or failed: fail what it had in flight and report its end. */
    private void end(Throwable readFailure) {
        List<Exchange> unanswered = inFlight.close(); // from here on the writer sends elsewhere
        if (readFailure != null) {
            stop(readFailure); // out of step: no grace
        }
        int exitCode = awaitExitCode();
        if (stderrThread != null) {
            ProcessChannel.join(stderrThread, KILL_WAIT);
        }
        String tail = stderr != null ? stderr.tail() : "";
        Throwable cause = stopCause;
        channel.childEnded(this, exitCode, tail, cause, unanswered);
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
