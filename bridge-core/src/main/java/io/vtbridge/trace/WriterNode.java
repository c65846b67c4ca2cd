package io.vtbridge.trace;

import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import static io.vtbridge.trace.TraceLayout.TYPE_DATA;
import static io.vtbridge.trace.TraceLayout.TYPE_EVENT;
import static io.vtbridge.trace.TraceLayout.frameSize;

/**
 * What a contended writer leaves in the combining queue ({@link TraceRingCombining}): its record (by
 * reference: the writer waits until it is copied) and, once written, its sequence number. A platform
 * thread reuses one node, cached in a thread-local; a virtual thread allocates one per contended
 * append (see "Allocation" in {@link TraceRing}).
 *
 * <p><b>Threading:</b> the owner (the writer whose record it carries) fills it ({@link #event},
 * {@link #bytes}) before the CAS that pushes it, which publishes those fields to the lock holder that
 * detaches the stack. That lock holder writes {@code position}, {@code sequence} and {@code failure},
 * then releases {@code done}; the owner reads them after its acquire load of {@code done}
 * ({@link #finish}). {@link #adaptPark}: the owner only.
 */
final class WriterNode {

    WriterNode next;      // written by the owner before the CAS that pushes it (the CAS publishes it)
    int type;             // owner, before the push
    int length;           // owner, before the push: payload bytes
    int frame;            // owner, before the push: frame bytes
    byte[] array;         // owner, before the push: DATA from an array (or null)
    ByteBuffer buffer;    // owner, before the push: DATA from a buffer (or null)
    int from;             // owner, before the push: where the DATA payload starts in array or buffer
    int eventWord;        // owner, before the push: EVENT shard/kind/phase
    long threadId;        // owner, before the push: EVENT
    long nanoTime;        // owner, before the push: EVENT
    long position;        // lock holder, pass 1; read by the same thread in pass 2
    long sequence;        // lock holder, before the setRelease of done; read by the owner after it
    Throwable failure;    // lock holder, as sequence: the copy of the owner's buffer failed (record written as zeros)
    long parkNanos;       // owner only: how long it parks while queued; kept across appends in a cached node
    long queuedEnd;       // owner only: System.nanoTime() when its last queued append returned
    private boolean done; // setRelease by the lock holder once the record is committed (markDone); getAcquire by the owner (isDone)
    private static final VarHandle DONE = VarHandles.field(MethodHandles.lookup(), "done", boolean.class);

    WriterNode event(int word, long id, long time) {
        set(TYPE_EVENT, TraceEvent.SIZE);
        eventWord = word;
        threadId = id;
        nanoTime = time;
        return this;
    }

    /** DATA from {@code array[from ..]} or {@code buffer[from ..]} (the other null). */
    WriterNode bytes(byte[] src, ByteBuffer srcBuffer, int start, int len) {
        set(TYPE_DATA, len);
        array = src;
        buffer = srcBuffer;
        from = start;
        return this;
    }

    private void set(int recordType, int len) {
        type = recordType;
        length = len;
        frame = frameSize(len);
        array = null;
        buffer = null;
        done = false;
        failure = null;
    }

    /** Lock holder, after the commit of the round that holds this record: releases the owner. */
    void markDone() {
        DONE.setRelease(this, true); // the record is committed: pairs with the getAcquire in isDone()
    }

    /** Owner: whether its record is committed; then position, sequence and failure are visible. */
    boolean isDone() {
        return (boolean) DONE.getAcquire(this); // pairs with the setRelease in markDone()
    }

    /**
     * The park of this queued append: twice the last one, up to {@link BackOff#MAX_PARK_NANOS}, if the
     * owner's last queued append returned less than that park ago (it keeps finding the tail
     * taken, append after append); else {@link BackOff#MIN_PARK_NANOS} (also for a fresh node: a
     * virtual thread's, which does not park anyway). Measured from the end of the last queued
     * append, not its start: a park sleeps longer than asked (the kernel's timer slack, 50 µs by
     * default), and that must not read as a gap. Owner only.
     */
    long adaptPark() {
        long p = parkNanos;
        p = p != 0 && System.nanoTime() - queuedEnd <= p
                ? Math.min(2 * p, BackOff.MAX_PARK_NANOS) : BackOff.MIN_PARK_NANOS;
        parkNanos = p;
        return p;
    }

    /**
     * After done: drops the references to the caller's data; returns the sequence number, or
     * throws what the copy of the caller's buffer threw (its record was written as zeros).
     */
    long finish() {
        array = null;
        buffer = null;
        next = null;
        Throwable f = failure;
        failure = null;
        if (f != null) {
            throw TraceRingBacking.copyFailure(f);
        }
        return sequence;
    }
}
