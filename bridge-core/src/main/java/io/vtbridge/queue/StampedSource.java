package io.vtbridge.queue;

/**
 * The consumer's side of a multi-producer, single-consumer queue whose elements carry a stamp:
 * what the shard loop needs to serve one source of work. Every method is for the single consumer.
 *
 * @param <E> element type
 */
public interface StampedSource<E> {

    /** Removes and returns the next element, or {@code null} if none is linked yet. */
    E poll();

    /** The stamp the element {@link #poll()} returned last was offered with (0 if none). */
    long polledStamp();

    /** Whether every offered element has been polled, elements in flight counted as present. */
    boolean isEmpty();
}
