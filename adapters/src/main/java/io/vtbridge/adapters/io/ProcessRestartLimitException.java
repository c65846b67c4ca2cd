package io.vtbridge.adapters.io;

import java.time.Duration;
import java.util.Optional;

/**
 * A request of a {@link ProcessChannel} found no live child, and the channel may not start another:
 * its children have already been restarted {@link #maxRestarts()} times (within
 * {@link #restartWindow()}, or in total when there is no window). Nothing was written. With a
 * window, a later request may start a child again once the oldest restart has left the window.
 * {@linkplain #getCause() The cause} is the failure of the last child (a
 * {@link ProcessDiedException}, or the {@link java.io.IOException} of a start), when known.
 */
public final class ProcessRestartLimitException extends ProcessChannelException {

    private static final long serialVersionUID = 1L;

    private final int maxRestarts;
    private final Duration restartWindow; // null: in total

    ProcessRestartLimitException(String channel, int maxRestarts, Duration restartWindow, Throwable lastFailure) {
        super("process channel " + channel + " may not restart its child: already restarted " + maxRestarts + " time(s) "
                + (restartWindow != null ? "within " + restartWindow : "in total") + " (maxRestarts=" + maxRestarts
                + (restartWindow != null ? ", restartWindow=" + restartWindow : "") + ")", lastFailure);
        this.maxRestarts = maxRestarts;
        this.restartWindow = restartWindow;
    }

    /** The limit that was reached. */
    public int maxRestarts() {
        return maxRestarts;
    }

    /** The window the restarts are counted in, or empty when they are counted in total. */
    public Optional<Duration> restartWindow() {
        return Optional.ofNullable(restartWindow);
    }
}
