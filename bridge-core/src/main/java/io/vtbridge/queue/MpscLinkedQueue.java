package io.vtbridge.queue;

import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * An unbounded multi-producer, single-consumer FIFO queue of linked nodes (Dmitry Vyukov's
 * intrusive MPSC design): a producer swaps itself in as the last node with one atomic
 * {@code getAndSet}, then links the previous last node to it.
 *
 * <p><b>Threading:</b> {@link #offer} may be called by any number of threads at once.
 * {@link #poll}, {@link #polledStamp} and {@link #isEmpty} must only be called by the single consumer thread (at any time
 * one thread; the consumer may change over time if the hand-over itself is a happens-before edge).
 *
 * <p><b>Guarantees:</b> no element is lost or duplicated; elements offered by one producer are
 * polled in the order that producer offered them. {@code offer} is wait-free; {@code poll} is
 * wait-free but may return {@code null} while a producer sits between its swap and its link
 * (the element is then "in flight": {@link #isEmpty} already reports it).
 *
 * <p><b>Stamps:</b> each element may carry a {@code long} stamp ({@link #offer(Object, long)}), written
 * and published with it exactly like the element itself; the consumer reads the stamp of the element
 * it polled last with {@link #polledStamp()}. The shard loop stamps a continuation with the time it
 * became runnable, to measure how long it waited.
 *
 * <p><b>Why unbounded:</b> the shard loop feeds this queue with virtual-thread continuations, and a
 * virtual thread has at most one pending continuation at a time, so the length never exceeds the
 * number of live virtual threads of the shard: the bound lives in the admission of tasks
 * ({@code maxInFlight}), not here. A continuation can never be refused without losing its thread.
 *
 * @param <E> element type; {@code null} is not permitted
 */
public final class MpscLinkedQueue<E> implements StampedSource<E> {

    private static final VarHandle LAST = VarHandles.field(MethodHandles.lookup(), "last", Node.class);
    private static final VarHandle NEXT = VarHandles.field(MethodHandles.lookup(), Node.class, "next", Node.class);

    static final class Node<E> {
        E value;            // written by the producer before the getAndSet on last; cleared by the consumer
        final long stamp;   // written by the producer before the getAndSet on last, as value is
        volatile Node<E> next; // setRelease by the producer that appended after this node, getAcquire by the consumer
        Node(E value, long stamp) {
            this.value = value;
            this.stamp = stamp;
        }
    }

    private volatile Node<E> last;  // getAndSet by producers; volatile read by the consumer in isEmpty
    private Node<E> first;          // consumer-owned: the node whose successor is the head element
    private long polledStamp;       // consumer-owned: the stamp of the element poll() returned last

    /** Creates an empty queue. */
    public MpscLinkedQueue() {
        Node<E> stub = new Node<>(null, 0L);
        first = stub;
        last = stub; // volatile store: publishes the stub to producers
    }

    /**
     * Appends {@code e}. Wait-free; allocates one node.
     *
     * @throws NullPointerException if {@code e} is null
     */
    public void offer(E e) {
        offer(e, 0L);
    }

    /**
     * Appends {@code e} with {@code stamp}, which the consumer reads back with {@link #polledStamp()}
     * after it polled {@code e}. Wait-free; allocates one node.
     *
     * @throws NullPointerException if {@code e} is null
     */
    public void offer(E e, long stamp) {
        Objects.requireNonNull(e, "e");
        Node<E> node = new Node<>(e, stamp);
        // The swap is sequentially consistent: it orders node.value before the node becomes
        // reachable, and it is the store a consumer's isEmpty() and a parking loop's re-check read.
        @SuppressWarnings("unchecked")
        Node<E> previous = (Node<E>) LAST.getAndSet(this, node);
        // Pairs with the getAcquire of next in poll(): the consumer that sees the link sees the value.
        NEXT.setRelease(previous, node);
    }

    /**
     * Removes and returns the head element, or {@code null} if none is linked yet.
     * Consumer thread only.
     */
    @Override
    public E poll() {
        Node<E> head = first;
        @SuppressWarnings("unchecked")
        Node<E> next = (Node<E>) NEXT.getAcquire(head); // pairs with setRelease in offer()
        if (next == null) {
            return null;
        }
        E value = next.value;
        next.value = null;   // the node becomes the new stub; drop the reference for the GC
        first = next;
        polledStamp = next.stamp; // written with value, before the node was published: seen with it
        return value;
    }

    /** The stamp the element {@link #poll()} returned last was offered with (0 if none). Consumer thread only. */
    @Override
    public long polledStamp() {
        return polledStamp;
    }

    /**
     * Whether every offered element has been polled. Counts an element whose producer has swapped
     * but not yet linked as present, so a consumer that decides to park on {@code isEmpty()} never
     * misses it. Consumer thread, for that use; from any other thread it is a racy snapshot that may
     * call an emptied queue busy, never a queue empty that was not empty at some moment of the call
     * (how a new producer picks a quiet stripe).
     */
    public boolean isEmpty() {
        // A linked head answers without the producers' line; only an apparently empty queue loads
        // last (volatile: ordered after the caller's preceding volatile store), where an element in
        // flight shows.
        return NEXT.getAcquire(first) == null && last == first;
    }
}
