package io.vtbridge.adapters.io.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests written to one child and not yet answered, in the order they were written: the
 * child answers in that order, so each response frame belongs to the head. The matching never looks
 * at whether a caller still wants its answer; see {@link #deliver(byte[])}.
 *
 * <p>Protocol:
 * <ol>
 *   <li>the writer {@link #add}s an exchange <em>before</em> it writes the exchange's frame (a fast
 *       child's answer must find it), and stops writing to this child when {@code add} refuses;</li>
 *   <li>the reader {@link #deliver}s each response frame to the head;</li>
 *   <li>when the child's output ends, the reader {@link #seal}s the queue: from then on the writer's
 *       {@code add} refuses and the request goes to the next child;</li>
 *   <li>whoever reports the child's end (its reader; or, when the reader cannot end, the channel
 *       from another thread) {@link #close}s the queue and fails what it returns.</li>
 * </ol>
 *
 * <p><b>Threading:</b> {@link #add} is the writer thread's, {@link #deliver} and {@link #seal} the
 * reader thread's (one reader per child); {@link #close} the reporter's, which may be another thread
 * racing a {@code deliver}; {@link #size()} and {@link #discarded()} anyone's. Those hand-offs are the
 * {@link ClosableQueue}'s: an exchange is delivered or returned by {@code close}, never both.
 */
public final class InFlight {

    private final ClosableQueue<Exchange> written = new ClosableQueue<>();
    private final AtomicLong discarded; // incremented by the reader, read by anyone; may be shared by a channel's children

    /** An empty queue for a new child, with its own count of discarded responses. */
    public InFlight() {
        this(new AtomicLong());
    }

    /** An empty queue for a new child that counts discarded responses in {@code discarded}. */
    public InFlight(AtomicLong discarded) {
        this.discarded = discarded;
    }

    /**
     * Appends {@code x}, about to be written, unless the child has ended.
     *
     * @return false if the queue is closed: do not write {@code x} to this child
     */
    public boolean add(Exchange x) {
        return written.offer(x);
    }

    /**
     * Hands {@code frame} to the head: completes its future with it, or, if the caller completed the
     * future first (cancelled, timed out), drops the frame and counts it in {@link #discarded()}.
     * Either way the head leaves the queue and its slot is released (before the completion, so a
     * caller woken by it finds its slot free).
     *
     * @return the head that received the frame, or null if nothing was in flight (the child answered
     *         a request it was never sent: the stream is out of step)
     */
    public Exchange deliver(byte[] frame) {
        Exchange head = written.poll();
        if (head == null) {
            return null;
        }
        head.release();
        if (!head.complete(frame)) {
            discarded.incrementAndGet();
        }
        return head;
    }

    /**
     * Refuses further {@link #add}s (the child's output has ended) but keeps the unanswered
     * exchanges for {@link #close()}.
     */
    public void seal() {
        written.refuseOffers();
    }

    /**
     * Closes the queue (the child has ended) and returns the unanswered exchanges, in order; a second
     * close returns none, so exactly one caller fails each of them.
     */
    public List<Exchange> close() {
        return written.close();
    }

    /** Whether {@link #seal()} or {@link #close()} has run. */
    public boolean isClosed() {
        return written.isClosed();
    }

    /** Exchanges written and not answered. */
    public int size() {
        return written.size();
    }

    /** Responses read for exchanges whose callers had already given up (in the counter given at construction). */
    public long discarded() {
        return discarded.get();
    }
}
