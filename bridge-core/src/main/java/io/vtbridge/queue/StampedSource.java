package io.vtbridge.queue;

/**
 * A queue's consumer side as a shard loop's step reads it: the next element and the stamp it was
 * offered with (the time it became runnable, or 0 when not measured).
 *
 * <p><b>Threading:</b> both methods by the consumer only, as the implementation says.
 *
 * @param <E> the element type
 */
public interface StampedSource<E> {

    /** Removes and returns the next element, or {@code null} if there is none now. */
    E poll();

    /** The stamp the element {@link #poll()} returned last was offered with (0 if none). */
    long polledStamp();
}
