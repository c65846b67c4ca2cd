package io.vtbridge.adapters.io;

import io.vtbridge.adapters.io.internal.ClosableQueue;
import io.vtbridge.adapters.io.internal.Exchange;

import java.io.IOException;

/**
 * The writer thread of a {@link ProcessChannel}: takes requests from the channel's queue in order,
 * writes each as a frame to the current child, and starts a child when there is none (the first
 * request, or the first after a child ended), within the channel's {@link RestartBudget}.
 *
 * <p>Per request, in order:
 * <ol>
 *   <li>a request whose future is already complete (its caller cancelled it, or it timed out) is
 *       dropped and never written: that is the moment "the writer took it";</li>
 *   <li>without a usable child, one is started; if the budget forbids it, or the start fails, the
 *       request fails ({@link ProcessRestartLimitException}, or the start's own
 *       {@link IOException}) and is not written;</li>
 *   <li>the request joins the child's in-flight queue and its frame is written; if the child ended
 *       just before, it is sent to a new child instead (it was never written to the old one).</li>
 * </ol>
 * Frames are flushed when no request is waiting, or every {@link #FLUSH_EVERY} frames, so a burst
 * of pipelined requests goes to the child in few writes. On the channel's close the queue hands
 * out null: the writer closes the current child's input (after a flush) and ends.
 *
 * <p><b>Threading:</b> {@link #run()} is the writer thread's body; {@link #current()} may be read by
 * any thread (the closer reads it after joining the writer).
 */
final class ChannelWriter implements Runnable {

    /** The most frames written between two flushes while requests keep arriving. */
    static final int FLUSH_EVERY = 64;

    private final ProcessChannel channel;
    private final ClosableQueue<Exchange> requests;
    private final RestartBudget budget;
    private volatile ChildSession current;   // written by the writer thread only; read by anyone
    private int generation;                  // writer only: children started so far

    ChannelWriter(ProcessChannel channel, ClosableQueue<Exchange> requests, RestartBudget budget) {
        this.channel = channel;
        this.requests = requests;
        this.budget = budget;
    }

    /** The child the writer sends to, or null before the first start; possibly ended. */
    ChildSession current() {
        return current;
    }

    @Override
    public void run() {
        try {
            int unflushed = 0;
            for (Exchange x = take(); x != null; x = take()) {
                if (sendSafely(x)) {
                    unflushed++;
                }
                if (unflushed > 0 && (unflushed >= FLUSH_EVERY || requests.isEmpty())) {
                    flushCurrent();
                    unflushed = 0;
                }
            }
        } finally {
            ChildSession child = current;
            if (child != null) {
                child.closeInput(); // flushes what is buffered, then end of input for the child
            }
        }
    }

    /** The next request, or null once the channel is closed (interrupts are not a way to stop the writer). */
    private Exchange take() {
        while (true) {
            try {
                return requests.take();
            } catch (InterruptedException ignored) {
                // only close() ends the writer, through the queue
            }
        }
    }

    /** {@link #send}, with any unexpected failure delivered to the request rather than ending the writer. */
    private boolean sendSafely(Exchange x) {
        try {
            return send(x);
        } catch (RuntimeException | Error unexpected) {
            x.release();
            x.completeExceptionally(unexpected);
            return false;
        }
    }

    /** @return whether a frame was written (so a flush is due) */
    private boolean send(Exchange x) {
        if (x.isDone()) {
            x.release(); // its caller gave up before the writer took it: never written
            return false;
        }
        while (true) {
            ChildSession child = current;
            if (child == null || !child.usable()) {
                child = startChild(x);
                if (child == null) {
                    return false; // x has failed
                }
            }
            if (child.send(x)) {
                return true;
            }
            // the child ended between usable() and the add: x was not written to it; next child
        }
    }

    private ChildSession startChild(Exchange x) {
        if (channel.isClosing()) {
            fail(x, new ProcessChannelClosedException("process channel " + channel.name()
                    + " closed before the request was written (it never was)", null));
            return null;
        }
        if (!budget.tryStart(System.nanoTime())) {
            fail(x, new ProcessRestartLimitException(channel.name(), budget.maxRestarts(), budget.window(),
                    channel.lastFailure()));
            return null;
        }
        try {
            ChildSession child = ChildSession.start(channel, channel.processBuilder(), ++generation);
            current = child;
            return child;
        } catch (IOException | RuntimeException startFailed) {
            channel.recordFailure(startFailed);
            fail(x, startFailed); // the original exception, as ProcessBuilder.start threw it
            return null;
        }
    }

    private void flushCurrent() {
        ChildSession child = current;
        if (child != null && child.usable()) {
            child.flush();
        }
    }

    private static void fail(Exchange x, Throwable failure) {
        x.release();
        x.completeExceptionally(failure);
    }
}
