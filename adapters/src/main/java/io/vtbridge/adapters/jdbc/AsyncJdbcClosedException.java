package io.vtbridge.adapters.jdbc;

import java.sql.SQLNonTransientConnectionException;

/**
 * The failure of a call made after {@link AsyncJdbc#close()}, of a call that was still waiting for a
 * connection permit when it closed, and of a stream ({@link AsyncJdbc#stream}) still open when it
 * closed. For the first two nothing ran: no connection was taken, no statement executed.
 */
public final class AsyncJdbcClosedException extends SQLNonTransientConnectionException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what was refused or ended, and by which {@link AsyncJdbc}
     */
    public AsyncJdbcClosedException(String message) {
        super(message);
    }
}
