package io.vtbridge.adapters.io;

import java.io.IOException;

/**
 * A request of a {@link ProcessChannel} that got no response: the base of
 * {@link ProcessDiedException}, {@link ProcessRestartLimitException} and
 * {@link ProcessChannelClosedException}. A failure to start the child arrives as the
 * {@link IOException} {@link ProcessBuilder#start()} threw, not as one of these.
 */
public class ProcessChannelException extends IOException {

    private static final long serialVersionUID = 1L;

    ProcessChannelException(String message, Throwable cause) {
        super(message, cause);
    }
}
