package io.vtbridge;

import java.util.concurrent.RejectedExecutionException;

/**
 * Thrown (by {@link Bridge#execute}) or delivered (as the failure of the future {@link Bridge#submit}
 * returns) when a bridge already has {@code maxInFlight} tasks in flight, or when a bounded work pool's
 * queue is full ({@link #queueFull}). The rejection is immediate: nothing is queued. Back off, shed
 * load, or raise the bound.
 */
public class BridgeOverloadedException extends RejectedExecutionException {

    private static final long serialVersionUID = 1L;

    private final int maxInFlight;

    /**
     * @param bridge      the name of the bridge that refused the task
     * @param maxInFlight the bound that was hit
     */
    public BridgeOverloadedException(String bridge, int maxInFlight) {
        super("bridge " + bridge + " overloaded: " + maxInFlight + " tasks already in flight (maxInFlight="
                + maxInFlight + ")");
        this.maxInFlight = maxInFlight;
    }

    /** The (bound, message) order keeps this apart from the public (bridge, maxInFlight) constructor. */
    private BridgeOverloadedException(int bound, String message) {
        super(message);
        this.maxInFlight = bound;
    }

    /**
     * The rejection of a task by a bounded work pool whose queue already holds {@code capacity} tasks.
     *
     * @param pool     the name of the pool that refused the task
     * @param capacity the queue capacity that was hit; {@link #maxInFlight()} returns it
     */
    public static BridgeOverloadedException queueFull(String pool, int capacity) {
        return new BridgeOverloadedException(capacity,
                "pool " + pool + " overloaded: queue full (capacity=" + capacity + ")");
    }

    /** The bound that was hit (in-flight tasks, or a pool's queue capacity). */
    public int maxInFlight() {
        return maxInFlight;
    }
}
