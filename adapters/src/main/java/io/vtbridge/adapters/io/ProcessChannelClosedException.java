package io.vtbridge.adapters.io;

/**
 * A request of a {@link ProcessChannel} got no response because the channel was closed: it was
 * made after {@link ProcessChannel#close()}, it was still waiting to be written when the channel
 * closed (then it was never written), or the child ended, while the channel closed, before it
 * answered (then {@linkplain #getCause() the cause} is a {@link ProcessDiedException} with the
 * child's exit code and the tail of its standard error).
 */
public final class ProcessChannelClosedException extends ProcessChannelException {

    private static final long serialVersionUID = 1L;

    ProcessChannelClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
