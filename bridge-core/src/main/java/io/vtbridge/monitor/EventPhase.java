package io.vtbridge.monitor;

/** The step of an intercepted call: request, then (unless a fast path served it) suspend and resume. */
public enum EventPhase {
    /** The call was made. */
    REQUEST,
    /** The virtual thread unmounted to wait: its shard's loop went on with other work. */
    SUSPEND,
    /** The virtual thread was mounted again, on its shard, with what it waited for. */
    RESUME
}
