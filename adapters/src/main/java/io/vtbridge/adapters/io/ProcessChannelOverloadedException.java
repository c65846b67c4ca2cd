package io.vtbridge.adapters.io;

import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link ProcessChannel} refused a request because {@code maxInFlight} requests are already queued
 * or at the child: nothing was queued. Back off, shed load, or raise the bound. Unchecked, as the
 * bridge's own {@link io.vtbridge.BridgeOverloadedException}.
 */
public final class ProcessChannelOverloadedException extends RejectedExecutionException {

    private static final long serialVersionUID = 1L;

    private final int maxInFlight;

    ProcessChannelOverloadedException(String channel, int maxInFlight) {
        super("process channel " + channel + " overloaded: " + maxInFlight + " requests already in flight (maxInFlight="
                + maxInFlight + ")");
        this.maxInFlight = maxInFlight;
    }

    /** The bound that was hit. */
    public int maxInFlight() {
        return maxInFlight;
    }
}
