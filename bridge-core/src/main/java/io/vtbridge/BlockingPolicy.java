package io.vtbridge;

/**
 * What a bridge does when bridged code blocks a shard's carrier thread (java.io, JNI, a pinned
 * park) for longer than its stall threshold. Set with {@link BridgeBuilder#blockingPolicy}.
 */
public enum BlockingPolicy {
    /** Report the stall (once per stall: listener and a {@code System.Logger} warning); the shard waits. */
    REPORT,
    /**
     * Report it, and move the shard's loop to a fresh platform thread, so the shard keeps serving
     * its other virtual threads while the old carrier stays inside the blocking call; when the call
     * returns and the virtual thread next unmounts, the old carrier retires. As Go's runtime retakes
     * a processor from a thread stuck in a system call. The number of extra carriers alive at once is
     * bounded ({@link BridgeBuilder#maxExtraCarriers}).
     */
    HAND_OFF
}
