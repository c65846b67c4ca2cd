package io.vtbridge;

/** Where a submitted task runs: see {@link Bridge#submit(Mode, java.util.concurrent.Callable)}. */
public enum Mode {
    /**
     * On a bridged virtual thread of a shard (the default of {@link Bridge#submit}): blocking calls
     * the JDK can unmount suspend it and free the shard.
     */
    ASYNC,
    /**
     * On a platform thread of the bridge's blocking pool, for the whole task: for code known to
     * block its carrier (java.io, JNI, a library that pins). Blocking then costs a pool thread, not
     * a shard. This is the "sync" mode of Neon's walredo (a request holds a thread for its
     * whole round trip).
     */
    SYNC
}
