package io.vtbridge.adapters.io;

/**
 * The child of a {@link ProcessChannel} ended (it exited, was killed, or was stopped by the channel
 * because its pipes were out of step) while this request was written to it and not yet answered.
 * Every request in flight at that moment fails with its own instance. The child may have acted on
 * the request: the channel does not resend it. The next request starts a new child (within the
 * channel's restart limit).
 *
 * <p>{@linkplain #getCause() The cause} is what the channel saw go wrong, when it was not the child
 * simply closing its output: the write or read that failed, a frame the framing refused, or an
 * {@link java.io.IOException} saying that the child exited but its output stayed open (held by a
 * process it started), so its requests could never be answered.
 */
public final class ProcessDiedException extends ProcessChannelException {

    private static final long serialVersionUID = 1L;

    /** {@link #exitCode()} when the child had not exited by the time the channel stopped waiting for it. */
    public static final int UNKNOWN_EXIT_CODE = Integer.MIN_VALUE;

    private final long pid;
    private final int exitCode;
    private final String stderrTail;

    ProcessDiedException(String channel, long pid, int exitCode, String stderrTail, int unanswered, Throwable cause) {
        super("child pid " + pid + " of process channel " + channel + " ended (" + describeExit(exitCode) + ") with "
                + unanswered + " request(s) unanswered" + (cause != null ? " after: " + cause : "")
                + "; stderr tail: " + (stderrTail.isEmpty() ? "(empty)" : "\n" + stderrTail), cause);
        this.pid = pid;
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
    }

    static String describeExit(int exitCode) {
        if (exitCode == UNKNOWN_EXIT_CODE) {
            return "exit code unknown: it had not exited when the channel stopped waiting";
        }
        return exitCode > 128 && exitCode < 160 ? "exit code " + exitCode + ", killed by signal " + (exitCode - 128)
                : "exit code " + exitCode;
    }

    /** The child's process id. */
    public long pid() {
        return pid;
    }

    /**
     * The child's exit code as {@link Process#exitValue()} reports it (on Linux, 128 plus the signal
     * number for a child killed by a signal: 137 for {@code SIGKILL}), or {@link #UNKNOWN_EXIT_CODE}.
     */
    public int exitCode() {
        return exitCode;
    }

    /**
     * The last bytes the child wrote to its standard error (at most the channel's
     * {@code stderrTailBytes}), decoded as UTF-8; empty if it wrote none or its standard error was
     * redirected away from the channel.
     */
    public String stderrTail() {
        return stderrTail;
    }
}
