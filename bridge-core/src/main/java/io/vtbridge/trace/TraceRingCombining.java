package io.vtbridge.trace;

import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import static io.vtbridge.trace.TraceLayout.F_CHECKSUM;
import static io.vtbridge.trace.TraceLayout.F_LENGTH;
import static io.vtbridge.trace.TraceLayout.F_PAYLOAD;
import static io.vtbridge.trace.TraceLayout.F_SEQUENCE;
import static io.vtbridge.trace.TraceLayout.TAG_BUSY;
import static io.vtbridge.trace.TraceLayout.TAG_COMMITTED;
import static io.vtbridge.trace.TraceLayout.TYPE_EVENT;
import static io.vtbridge.trace.TraceLayout.TYPE_PADDING;
import static io.vtbridge.trace.TraceLayout.checksum;
import static io.vtbridge.trace.TraceLayout.word;

/**
 * The combining queue of a {@link TraceRing} (fourth layer, see {@link TraceRingBacking}): where
 * contended writers leave their records, and the rounds in which a lock holder writes them.
 *
 * <p>A writer that still finds the tail lock taken after its few loads ({@link #acquireTail}) does
 * not go on spinning on {@code tail}: it pushes a {@link WriterNode} describing its record onto
 * {@code queue} (a lock-free stack) and waits ({@link #combine}). Only the node on top of the stack
 * watches {@code tail}; the others watch their own {@code done} flag. Whoever next takes the lock (a
 * newcomer or the top waiter) detaches the whole stack and writes its records in its round, so the
 * more writers wait, the larger the batch that one lock acquisition writes; within a batch, the
 * waiters' records follow the lock holder's, newest waiter first. A batch larger than a round (the
 * ring, at most 512 KiB) is written in several rounds under one lock hold ({@link #writeRounds}).
 *
 * <p>A round is written in two passes, as HAProxy's ring v2 writes one, so that the next writer can
 * take the lock while this one copies:
 * <pre>
 *   pass 1, holding the lock (short, no copy)
 *     plan the round: every record's position and sequence number; padding where a record would cross the end
 *     make room: advance oldest over whole records, counting them in lost (waits if the oldest is still BUSY)
 *     write the round's first frame header with tag BUSY
 *     setRelease(tail, end)                      publishes the round and drops the lock bit
 *   pass 2, lock free for the next writer
 *     copy every record of the round, with its header (tag COMMITTED) and checksum
 *     releaseFence; first tag := COMMITTED       the whole round becomes readable at once
 *     release the waiting writers whose records were in the round
 * </pre>
 * Waiters are released after the commit, never before: an append returns only once its record is
 * readable, and a record whose append returned survives a crash. How a waiter waits (park, spin,
 * yield): {@link BackOff}.
 *
 * <p><b>Threading:</b> {@link #combine}: any writer that did not get the lock, with its own node.
 * {@link #writeWithWaiters} and {@link #unlockWritingWaiters}: the lock holder only; they write the
 * rounds and drop the lock. {@link #hasWaiters}, {@link #combinedOpaque} and {@link #queuedWriters}:
 * any thread (the last a racy count, for tests).
 */
abstract class TraceRingCombining extends TraceRingEviction {

    private static final ThreadLocal<WriterNode> NODES = ThreadLocal.withInitial(WriterNode::new);

    final int roundLimit;  // most bytes one round spans

    private WriterNode queue; // top of the stack of waiting writers: CAS push by writers, getAndSet(null) by the lock holder, getOpaque by the top waiter and by an append that checks for waiters
    private static final VarHandle QUEUE = VarHandles.field(MethodHandles.lookup(), "queue", WriterNode.class);
    private long combined;    // records written by a lock holder for another writer: lock holder only (setOpaque); getOpaque by others
    private static final VarHandle COMBINED = VarHandles.field(MethodHandles.lookup(), "combined", long.class);

    TraceRingCombining(ByteBuffer buffer, MappedByteBuffer mapped, Path file, int capacity, int maxRecord) {
        super(buffer, mapped, file, capacity, maxRecord);
        this.roundLimit = TraceLayout.roundLimit(capacity);
    }

    /** The calling writer's node: a platform thread's cached one, or a new one for a virtual thread. */
    static WriterNode node() {
        return Thread.currentThread().isVirtual() ? new WriterNode() : NODES.get();
    }

    /** Whether writers are queued (opaque: a lock holder that misses a push just now leaves it to the next holder). */
    final boolean hasWaiters() {
        return QUEUE.getOpaque(this) != null;
    }

    /** Lock held, waiters queued: writes this thread's record first, then the waiters'. */
    final long writeWithWaiters(long t, WriterNode own) {
        own.next = (WriterNode) QUEUE.getAndSet(this, null);
        writeRounds(t, own, own);
        return own.finish();
    }

    /** Tail locked by someone else: queue the record and wait until a lock holder has written it. */
    final long combine(WriterNode node) {
        WriterNode top;
        do {
            top = (WriterNode) QUEUE.getOpaque(this);
            node.next = top;
        } while (!QUEUE.compareAndSet(this, top, node)); // publishes the node's fields to the getAndSet of the lock holder
        long park = node.adaptPark();
        Thread me = Thread.currentThread();
        for (int spins = 0; !node.isDone(); spins++) { // acquire: pairs with the setRelease of markDone() in writeRounds
            // The top of the stack watches the tail (as in ring v2: one waiter bounces the tail's cache
            // line, the rest wait on their own node). The top is the newest waiter; it leads until another
            // pushes over it or a lock holder detaches the stack. A waiter that never parks (a loop
            // thread, a virtual thread) also takes a free lock wherever its node is: the top may be a
            // platform writer asleep for up to MAX_PARK_NANOS, and a shard loop must not wait for it.
            if (!BackOff.parks(me, false) || QUEUE.getOpaque(this) == node) {
                long t = tryLockTail();
                if (t != FREE) {
                    // The stack may no longer hold this node (a lock holder detached it between the two
                    // reads above): then it is written by that holder, and this one writes what it finds.
                    unlockWritingWaiters(t, node);
                    continue;
                }
            }
            BackOff.backOff(spins, false, park);
        }
        node.queuedEnd = System.nanoTime();
        return node.finish();
    }

    /** Lock held: writes every queued record (if any) and releases the lock. */
    final void unlockWritingWaiters(long t, WriterNode self) {
        WriterNode batch = (WriterNode) QUEUE.getAndSet(this, null);
        if (batch != null) {
            writeRounds(t, batch, self);
        } else {
            unlock(t);
        }
    }

    /**
     * Lock held: writes the records of the list starting at {@code head} in rounds of at most
     * {@code roundLimit} bytes, keeping the lock between rounds and dropping it when the last round is
     * published. {@code self} is the node of this thread, if it is in the list.
     */
    private void writeRounds(long t, WriterNode head, WriterNode self) {
        long start = t;
        WriterNode n = head;
        while (n != null) {
            // pass 1 (lock held): plan the round [start, end) from n up to, not including, m
            long sequence = nextSequence();
            long end = start;
            int others = 0;
            WriterNode m = n;
            do {
                long at = place(end, m.frame);
                if (at + m.frame - start > roundLimit) {
                    break; // the round is full; the first record always fits (frame <= roundLimit / 2)
                }
                m.position = at;
                m.sequence = sequence++;
                end = at + m.frame;
                if (m != self) {
                    others++;
                }
                m = m.next;
            } while (m != null);
            makeRoom(start, end);
            if (n.position != start) {
                buf.putLong(index(start), word((int) (n.position - start), TAG_BUSY, TYPE_PADDING, end - start));
            } else {
                buf.putLong(index(start), word(n.length, TAG_BUSY, n.type, end - start));
            }
            COMBINED.setOpaque(this, combined + others);
            publish(end, sequence, m != null);

            // pass 2 (lock free unless more rounds follow): copy, then commit the round, then release its writers
            long previousEnd = start;
            for (WriterNode x = n; x != m; x = x.next) {
                if (x.position != previousEnd && previousEnd != start) {
                    buf.putLong(index(previousEnd), word((int) (x.position - previousEnd), TAG_COMMITTED, TYPE_PADDING, 0));
                }
                writeFrame(x, x.position == start);
                previousEnd = x.position + x.frame;
            }
            commit(index(start));
            for (WriterNode x = n; x != m; ) {
                WriterNode next = x.next; // read before done: the owner may reuse its node at once
                x.markDone(); // release, the record committed: pairs with the getAcquire of isDone() in combine()
                x = next;
            }
            n = m;
            start = end;
        }
    }

    /** Pass 2 for one queued record: payload, sequence, checksum, and (unless it opens the round) its header. */
    private void writeFrame(WriterNode x, boolean first) {
        int at = index(x.position);
        if (x.type == TYPE_EVENT) {
            TraceEvent.put(buf, at + F_PAYLOAD, x.eventWord, x.threadId, x.nanoTime);
        } else {
            x.failure = copyPayload(at + F_PAYLOAD, x.array, x.buffer, x.from, x.length);
        }
        buf.putLong(at + F_SEQUENCE, x.sequence);
        buf.putInt(at + F_CHECKSUM, checksum(buf, at + F_PAYLOAD, x.length, x.sequence, x.type));
        if (!first) {
            buf.putLong(at + F_LENGTH, word(x.length, TAG_COMMITTED, x.type, 0)); // guarded by the round's BUSY first tag
        }
    }

    /** Records that a lock holder wrote for a waiting writer; may lag an append that has not returned. */
    final long combinedOpaque() {
        return (long) COMBINED.getOpaque(this);
    }

    /** Writers waiting in the queue now (a racy count, for tests). */
    final int queuedWriters() {
        int n = 0;
        for (WriterNode x = (WriterNode) QUEUE.getAcquire(this); x != null; x = x.next) {
            n++;
        }
        return n;
    }
}
