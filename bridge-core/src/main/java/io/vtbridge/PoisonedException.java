package io.vtbridge;

import java.time.Instant;
import java.util.Objects;

/**
 * Thrown by {@link Poison#checkAndArm()} (and {@link Poison#call}, {@link Poison#run}) when an
 * earlier section that modified the guarded state was cancelled or failed while armed, leaving the
 * state possibly inconsistent. It names the state, the moment and the thread of the poisoning, and
 * carries the throwable that ended that section as its {@linkplain #getCause() cause} when known
 * (from {@code call}/{@code run}; a guard closed without {@code disarm()} records none).
 *
 * <p>Each refused access throws a new instance, so its stack trace shows the refused caller; the
 * cause's stack trace shows where the earlier section stopped.
 */
public final class PoisonedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String what;
    private final Instant at;
    private final String thread;

    PoisonedException(String what, Instant at, String thread, Throwable cause) {
        super(message(what, at, thread, cause), cause);
        this.what = Objects.requireNonNull(what, "what");
        this.at = Objects.requireNonNull(at, "at");
        this.thread = Objects.requireNonNull(thread, "thread");
    }

    private static String message(String what, Instant at, String thread, Throwable cause) {
        return what + " poisoned at " + at + " by " + thread
                + ": a section was cancelled or failed while armed (cause: "
                + (cause != null ? cause : "not recorded; its guard was closed without disarm()") + ")";
    }

    /** The poisoned state's name, as given to {@link Poison#Poison(String, Object)}. */
    public String what() {
        return what;
    }

    /** When the state was poisoned. */
    public Instant at() {
        return at;
    }

    /**
     * The thread that left the section armed, as {@code "thread #12 'name'"} or
     * {@code "virtual thread #31"} (virtual threads are often unnamed).
     */
    public String thread() {
        return thread;
    }
}
