package io.vtbridge.adapters.jdbc;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;

/**
 * The failure of a call that waited {@code acquireTimeout} for one of an {@link AsyncJdbc}'s
 * {@code maxConnections} permits and got none: every permit was held by a running call the whole
 * time. Nothing ran: no connection was taken, no statement executed. Transient: the same call may
 * succeed later. The message names the bound and the timeout.
 */
public final class ConnectionAcquireTimeoutException extends SQLTransientConnectionException {

    private static final long serialVersionUID = 1L;

    private final int maxConnections;
    private final Duration acquireTimeout;

    /**
     * @param name           the {@link AsyncJdbc}'s name
     * @param maxConnections the bound that was full
     * @param acquireTimeout how long the call waited
     */
    public ConnectionAcquireTimeoutException(String name, int maxConnections, Duration acquireTimeout) {
        super(name + ": no connection within acquireTimeout " + describe(acquireTimeout) + ": all "
                + maxConnections + " connections allowed (maxConnections=" + maxConnections + ") stayed in use");
        this.maxConnections = maxConnections;
        this.acquireTimeout = acquireTimeout;
    }

    /** The bound that was full. */
    public int maxConnections() {
        return maxConnections;
    }

    /** How long the call waited for a permit. */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /** Microseconds below a millisecond, milliseconds below ten seconds, else seconds. */
    static String describe(Duration d) {
        if (d.compareTo(Duration.ofMillis(1)) < 0) {
            return d.toNanos() / 1_000 + " us";
        }
        return d.compareTo(Duration.ofSeconds(10)) < 0 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }
}
