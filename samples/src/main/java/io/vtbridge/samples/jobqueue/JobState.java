package io.vtbridge.samples.jobqueue;

/**
 * The states a job goes through, after Ganeti's job queue: {@code QUEUED → WAITING → RUNNING →
 * SUCCESS}, or {@code CANCELED} / {@code ERROR} from any state that is not final.
 *
 * <p><b>Threading:</b> immutable.
 */
enum JobState {
    /** Accepted, not started. */
    QUEUED,
    /** Started, acquiring what it needs (a short sleep here). */
    WAITING,
    /** Running its operations; each finished operation is a change of its own. */
    RUNNING,
    /** Every operation done. */
    SUCCESS,
    /** Cancelled by a client before it finished. */
    CANCELED,
    /** Could not run (the runner refused it) or an operation failed. */
    ERROR;

    /** Whether no change follows this state. */
    boolean isFinal() {
        return this == SUCCESS || this == CANCELED || this == ERROR;
    }
}
