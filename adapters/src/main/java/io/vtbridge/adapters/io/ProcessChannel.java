package io.vtbridge.adapters.io;

import io.vtbridge.Bridge;
import io.vtbridge.adapters.io.internal.ClosableQueue;
import io.vtbridge.adapters.io.internal.Exchange;
import io.vtbridge.adapters.io.internal.Slots;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A child process spoken to over its pipes, one request frame in, one response frame out, shared by
 * any number of callers: their requests are pipelined to one child and its answers, which come in
 * the order of the requests, are matched back to them. The shape of Neon's async walredo change (a
 * Postgres WAL-redo child serving many page requests at once), for any program that reads framed
 * requests on its standard input and answers each, in order, on its standard output.
 *
 * <pre>{@code
 * try (ProcessChannel child = ProcessChannel.builder(List.of("walredo", "--serve"))
 *         .framing(Framing.lengthPrefixed())
 *         .maxInFlight(256)
 *         .build()) {
 *     byte[] page = child.call(request);                        // bridged code: suspends, holds no thread
 *     CompletableFuture<byte[]> later = child.request(other);   // async callers
 * }
 * }</pre>
 *
 * <h2>Threads and the in-flight protocol</h2>
 * Pipes are {@code java.io}: a read or write on a shard's virtual thread would hold the shard's
 * carrier. So each channel has one writer platform thread, and each child one reader and one stderr
 * platform thread; callers never touch the pipes.
 * <ol>
 *   <li>{@link #request} takes one of {@code maxInFlight} slots (none free:
 *       {@link ProcessChannelOverloadedException}) and queues the request;</li>
 *   <li>the writer takes requests in order, drops any whose future is already complete (cancelled,
 *       timed out: never written), starts a child if there is none, puts the request at the tail of
 *       the child's in-flight queue and <em>then</em> writes its frame; frames are flushed when no
 *       request waits;</li>
 *   <li>the reader reads response frames in order and gives each to the head of the in-flight
 *       queue: it completes that future, or, if its caller gave up after the request was written,
 *       discards the response ({@link #discardedResponses()}). Either way the queue moves by one,
 *       so every later response still reaches its own caller;</li>
 *   <li>a slot is freed when its request leaves the channel: answered, discarded, dropped or failed.</li>
 * </ol>
 *
 * <h2>When the child dies</h2>
 * If the child exits or is killed, every request written to it and not yet answered fails with a
 * {@link ProcessDiedException} carrying its exit code and the tail of its standard error (drained
 * all along into a bounded buffer, so the child never blocks on a full stderr pipe). Requests not
 * yet written are not lost: they go to the next child, which the writer starts when it has a
 * request to send, at most {@code maxRestarts} times (in total, or within a window); beyond, a
 * request fails with {@link ProcessRestartLimitException}. A write or read that fails half-way
 * through a frame (or a frame the framing rejects) leaves the pipe out of step: the channel
 * poisons that direction ({@link io.vtbridge.Poison}), kills the child and fails its requests the
 * same way, rather than speak to it out of step.
 *
 * <h2>Failures a caller sees</h2>
 * {@link ProcessDiedException}, {@link ProcessRestartLimitException},
 * {@link ProcessChannelClosedException} (all {@link ProcessChannelException}s, checked
 * {@link IOException}s), the {@link IOException} of a failed {@link ProcessBuilder#start()} as it was
 * thrown, and {@link ProcessChannelOverloadedException} (unchecked). {@link #request} delivers them
 * as the failure of its future; {@link #call} throws the same objects.
 *
 * <h2>A child that exits while its output stays open</h2>
 * A process the child started may inherit its standard output and keep it open after the child
 * exits; the reader then never reads the end of it, and a read of a pipe cannot be interrupted. So
 * each child's exit is watched as well: once it has exited and its reader has made no progress for
 * 2 s, its unanswered requests fail with a {@link ProcessDiedException} (its exit code, its stderr
 * tail, and an {@link IOException} saying the output is still open as the cause), and the next
 * request starts a new child. The reader (and stderr) thread left waiting on the held pipe is the
 * one thread the channel cannot end: it is no longer waited for, holds no request, and ends when the
 * last process holding the pipe closes it or exits.
 *
 * <p><b>Threading:</b> {@link #request}, {@link #call}, {@link #close()} and the figures may be
 * called from any thread, bridged or not, except as follows. The writer, reader and stderr threads
 * are the channel's own: response futures are completed on a reader thread (and failures on the
 * writer thread, the closing thread, or, for a child that exited with its output held open,
 * {@link java.util.concurrent.CompletableFuture}'s default async executor), so a dependent stage
 * added without an executor runs there; on a reader thread it holds up every later response until it
 * returns. Keep such stages short, and use the {@code ...Async} variants with an executor for
 * anything that blocks: {@link #call} and {@link #close()} on one of the channel's own threads would
 * wait for that very thread, so they throw {@link IllegalStateException} there instead.
 */
public final class ProcessChannel implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger();

    private final String name;
    private final ProcessChannelBuilder spec;      // only its immutable command, directory, environment, stderr
    private final Framing framing;
    private final Slots slots;
    private final int stderrTailBytes;
    private final Duration destroyGrace;
    private final ClosableQueue<Exchange> requests = new ClosableQueue<>();
    private final RestartBudget budget;
    private final ChannelWriter writer;
    private final Thread writerThread;
    private final AtomicLong discarded = new AtomicLong();    // shared by every child's InFlight
    private final ConcurrentMap<Thread, Boolean> threads = new ConcurrentHashMap<>(); // live threads of the channel, each to its "detached" flag: added before start, removed by each as it ends
    private final Set<ChildSession> children = ConcurrentHashMap.newKeySet(); // children whose end is not yet reported: added by the writer, removed by each report
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Thread closer;         // the thread running close(), written once by it; compared with the current thread
    private volatile boolean closing;       // set once by close(); read by the writer and the readers
    private volatile Throwable lastFailure; // the last child's end or failed start; written by readers and the writer

    ProcessChannel(ProcessChannelBuilder b) {
        this.name = b.name != null ? b.name : "process-channel-" + IDS.incrementAndGet();
        this.spec = b;
        this.framing = b.framing;
        this.slots = new Slots(b.maxInFlight);
        this.stderrTailBytes = b.stderrTailBytes;
        this.destroyGrace = b.destroyGrace;
        this.budget = new RestartBudget(b.maxRestarts, b.restartWindow);
        this.writer = new ChannelWriter(this, requests, budget);
        this.writerThread = newThread(name + "-writer", writer);
        writerThread.start();
    }

    /**
     * A builder for a channel to children started with {@code command} (program and arguments), in
     * the JVM's working directory and environment.
     *
     * @throws NullPointerException     if {@code command} or one of its elements is null
     * @throws IllegalArgumentException if {@code command} is empty
     */
    public static ProcessChannelBuilder builder(List<String> command) {
        return ProcessChannelBuilder.of(command);
    }

    /**
     * A builder for a channel to children started as {@code processBuilder} describes them (command,
     * directory, environment and stderr redirect, copied now). Standard input and output must stay
     * {@link ProcessBuilder.Redirect#PIPE}; a stderr redirected elsewhere (a file, {@code INHERIT})
     * is not drained by the channel, and death reports then carry no tail.
     *
     * @throws IllegalArgumentException if input or output is redirected, or {@code redirectErrorStream}
     *                                  is set (the child's stderr would be mixed into its responses)
     */
    public static ProcessChannelBuilder builder(ProcessBuilder processBuilder) {
        return ProcessChannelBuilder.of(processBuilder);
    }

    // ---- requests -------------------------------------------------------------------------------

    /**
     * Queues {@code payload} as one request frame and returns the future of the response frame.
     * Never blocks. The future completes exactly once: with the response, or with one of the
     * failures in the class comment (already failed with {@link ProcessChannelOverloadedException}
     * when {@code maxInFlight} requests are in flight, with {@link ProcessChannelClosedException}
     * after {@link #close()}). Completing it yourself ({@code cancel}, {@code orTimeout}) before the
     * writer takes the request keeps it from being written; after, its response is read and
     * discarded.
     *
     * <p>{@code payload} is not copied: do not change it until the future is complete.
     *
     * @throws NullPointerException     if {@code payload} is null
     * @throws IllegalArgumentException if {@code payload} is longer than the framing's
     *                                  {@link Framing#maxPayloadBytes()} (named, with both lengths)
     */
    public CompletableFuture<byte[]> request(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        if (payload.length > framing.maxPayloadBytes()) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds the framing's maximum of "
                    + framing.maxPayloadBytes() + " bytes (" + framing + ")");
        }
        if (closing) {
            return CompletableFuture.failedFuture(closedBeforeRequest());
        }
        if (!slots.tryAcquire()) {
            return CompletableFuture.failedFuture(new ProcessChannelOverloadedException(name, slots.capacity()));
        }
        Exchange x = new Exchange(payload, slots);
        if (!requests.offer(x)) { // closed since the check above
            x.release();
            x.completeExceptionally(closedBeforeRequest());
        }
        return x;
    }

    /**
     * Sends {@code payload} and waits for the response. In bridged code the virtual thread waits
     * unmounted ({@link Bridge#await}): its shard runs other work, and no thread is held for the
     * request. Anywhere else the calling thread blocks. Interrupted while waiting, it gives the
     * request up (never written if the writer has not taken it; its response discarded otherwise)
     * and throws {@link InterruptedException}.
     *
     * @return the response frame
     * @throws ProcessChannelException            as described in the class comment
     * @throws IOException                        the {@link ProcessBuilder#start()} failure, as thrown
     * @throws ProcessChannelOverloadedException  if {@code maxInFlight} requests are in flight
     * @throws InterruptedException               if interrupted while waiting
     * @throws NullPointerException               if {@code payload} is null
     * @throws IllegalArgumentException           if {@code payload} is too long for the framing
     * @throws IllegalStateException              if called on one of the channel's own threads (in a
     *                                            dependent stage of a response, say): the call would wait
     *                                            for an answer only that thread can read or write
     */
    public byte[] call(byte[] payload) throws IOException, InterruptedException {
        refuseOnOwnThread("call()", "it would deadlock: the answer it waits for needs this very thread;"
                + " use request(...) with a ...Async stage on an executor for anything that blocks");
        CompletableFuture<byte[]> response = request(payload);
        try {
            return Bridge.await(response);
        } catch (InterruptedException e) {
            response.cancel(false);
            throw e;
        } catch (CompletionException wrapped) {
            if (wrapped.getCause() instanceof IOException failure) {
                throw failure; // the same object the future failed with
            }
            throw wrapped;
        }
    }

    private ProcessChannelClosedException closedBeforeRequest() {
        return new ProcessChannelClosedException("process channel " + name + " is closed", null);
    }

    // ---- figures --------------------------------------------------------------------------------

    /** This channel's name (the prefix of its threads' names). */
    public String name() {
        return name;
    }

    /** Requests accepted and not yet out of the channel: queued, at the child, or cancelled but not yet dropped. */
    public int inFlight() {
        return slots.used();
    }

    /** The in-flight bound this channel was built with. */
    public int maxInFlight() {
        return slots.capacity();
    }

    /** Requests waiting for the writer. */
    public int queued() {
        return requests.size();
    }

    /** Requests written to the current child and not yet answered (0 when there is no child). */
    public int atChild() {
        ChildSession child = writer.current();
        return child == null ? 0 : child.unanswered();
    }

    /** Children started after the first, failed starts included. */
    public int restarts() {
        return budget.restarts();
    }

    /** Responses read and dropped because their callers had given up after the request was written. */
    public long discardedResponses() {
        return discarded.get();
    }

    /** The current child's process id, or empty if there is no live child. */
    public OptionalLong pid() {
        ChildSession child = writer.current();
        return child != null && child.usable() ? OptionalLong.of(child.pid()) : OptionalLong.empty();
    }

    // ---- closing --------------------------------------------------------------------------------

    /**
     * Closes the channel: new requests fail with {@link ProcessChannelClosedException}; requests not
     * yet written fail with it at once and are never written; the child's input is closed, so a
     * child that exits at the end of its input answers what it has first. The child gets
     * {@code destroyGrace} to exit, then {@link Process#destroy()} and {@code destroyGrace} more,
     * then {@link Process#destroyForcibly()}; requests it has not answered by then fail with
     * {@link ProcessChannelClosedException}. Returns when the writer, reader and stderr threads
     * have ended and every future is complete, each wait bounded: if a child's end is still not
     * reported 10 s after that (its reader waits on an output that a process it started holds open,
     * or is held by a dependent stage), its unanswered requests fail then, with the same exception,
     * and its reader and stderr threads are left to end when their reads do (see the class comment).
     *
     * <p>Idempotent: a second call waits for the first, except on the thread that is closing: a
     * dependent stage of a request this close fails runs on that thread, and a {@code close()} it
     * calls returns at once (the close under way on that thread's stack completes the rest).
     *
     * @throws IllegalStateException if called on one of the channel's own threads
     */
    @Override
    public void close() {
        refuseOnOwnThread("close()", "close waits for that thread; close the channel from another thread");
        if (closer == Thread.currentThread()) {
            return; // re-entered from a stage of a request this close is failing: the outer call finishes the job
        }
        if (!closeStarted.compareAndSet(false, true)) {
            awaitClosed();
            return;
        }
        closer = Thread.currentThread(); // before the first completion below runs a stage on this thread
        closing = true;
        try {
            for (Exchange x : requests.close()) {
                x.release();
                x.completeExceptionally(new ProcessChannelClosedException("process channel " + name
                        + " closed before the request was written (it never was)", null));
            }
            // The writer sees the closed queue, flushes and closes the child's input, and ends.
            if (!join(writerThread, destroyGrace)) {
                ChildSession stuck = writer.current(); // the writer is blocked writing to a child that does not read
                if (stuck != null) {
                    stuck.stop(new ProcessChannelClosedException("process channel " + name
                            + " closed while its writer was blocked writing to the child", null));
                }
                join(writerThread, ChildSession.KILL_WAIT);
            }
            ChildSession child = writer.current();
            if (child != null) {
                child.shutDown(destroyGrace);
            }
            awaitChildrenAndThreads(System.nanoTime() + ChildSession.KILL_WAIT.toNanos());
        } finally {
            closed.countDown();
        }
    }

    /**
     * Waits until {@code deadline} for every child's end to be reported, gives up on those still
     * unreported (failing what they have in flight), then joins the threads not detached.
     */
    private void awaitChildrenAndThreads(long deadline) {
        for (ChildSession child : children) {
            if (!child.awaitReported(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                child.giveUp(new IOException("process channel " + name + " closed and child pid " + child.pid()
                        + " had not ended " + ChildSession.KILL_WAIT.toSeconds() + " s after it was stopped"
                        + " (its output held open by a process it started, or its reader held by a dependent stage)"));
            }
        }
        threads.forEach((thread, detached) -> {
            if (!detached) {
                join(thread, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        });
    }

    /** Throws if the calling thread is one of the channel's own, where {@code method} would wait for itself. */
    private void refuseOnOwnThread(String method, String why) {
        if (threads.containsKey(Thread.currentThread())) {
            throw new IllegalStateException(method + " of process channel " + name + " called on its own thread "
                    + Thread.currentThread().getName() + " (in a dependent stage of a request?): " + why);
        }
    }

    private void awaitClosed() {
        boolean interrupted = false;
        while (true) {
            try {
                closed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code bound} for {@code t} to end, finishing the wait if interrupted (the status is kept). */
    static boolean join(Thread t, Duration bound) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return t.join(bound);
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

    // ---- for the writer and the children --------------------------------------------------------

    /** A daemon platform thread of this channel, tracked until it ends. */
    Thread newThread(String threadName, Runnable body) {
        Thread[] self = new Thread[1];
        Thread t = Thread.ofPlatform().name(threadName).daemon(true).unstarted(() -> {
            try {
                body.run();
            } finally {
                threads.remove(self[0]);
            }
        });
        self[0] = t;
        threads.put(t, Boolean.FALSE);
        return t;
    }

    /**
     * Stops waiting for {@code t} on close: it is blocked in a read of a pipe that another process
     * holds open, holds no request, and ends when that read returns. Still one of the channel's own.
     */
    void detach(Thread t) {
        threads.computeIfPresent(t, (thread, detached) -> Boolean.TRUE); // never re-adds a thread that has ended
    }

    void childStarted(ChildSession child) {
        children.add(child);
    }

    void childReported(ChildSession child) {
        children.remove(child);
    }

    /**
     * A child ended, reported once: by its reader thread, or from outside (its exit watch, or the
     * closing thread) when the reader cannot end. Fails each request it left unanswered, with
     * {@link ProcessDiedException}, or {@link ProcessChannelClosedException} (caused by one) while
     * the channel closes.
     */
    void childEnded(ChildSession child, int exitCode, String stderrTail, Throwable cause, List<Exchange> unanswered) {
        ProcessDiedException report = new ProcessDiedException(name, child.pid(), exitCode, stderrTail, unanswered.size(), cause);
        lastFailure = report;
        for (Exchange x : unanswered) {
            ProcessChannelException failure = closing
                    ? new ProcessChannelClosedException("process channel " + name + " closed before child pid " + child.pid()
                            + " answered; it ended (" + ProcessDiedException.describeExit(exitCode) + ")", report)
                    : new ProcessDiedException(name, child.pid(), exitCode, stderrTail, unanswered.size(), cause);
            x.release();
            x.completeExceptionally(failure);
        }
    }

    void recordFailure(Throwable failure) {
        lastFailure = failure;
    }

    Throwable lastFailure() {
        return lastFailure;
    }

    boolean isClosing() {
        return closing;
    }

    Framing framing() {
        return framing;
    }

    ProcessBuilder processBuilder() {
        return spec.processBuilder();
    }

    boolean piped() {
        return spec.stderrPiped();
    }

    int stderrTailBytes() {
        return stderrTailBytes;
    }

    AtomicLong discardedCounter() {
        return discarded;
    }

    @Override
    public String toString() {
        return "ProcessChannel[" + name + ", " + spec.command() + ", in flight " + slots.used() + "/" + slots.capacity()
                + ", restarts " + budget.restarts() + (closing ? ", closed" : "") + "]";
    }
}
