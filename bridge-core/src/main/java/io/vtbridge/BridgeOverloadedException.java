package io.vtbridge;

import java.util.concurrent.RejectedExecutionException;

/**
 * Thrown (by {@link Bridge#execute}) or delivered (as the failure of the future {@link Bridge#submit}
 * returns) when a bridge already has {@code maxInFlight} tasks in flight. The rejection is immediate:
 * nothing is queued. Back off, shed load, or raise the bound.
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

    /** The in-flight bound that was hit. */
    public int maxInFlight() {
        return maxInFlight;
    }
}
