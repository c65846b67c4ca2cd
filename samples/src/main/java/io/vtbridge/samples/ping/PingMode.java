package io.vtbridge.samples.ping;

/**
 * Where the ping-under-load server runs its handlers and its CPU work. The handlers, the work and
 * the load are the same in every mode.
 *
 * <p><b>Threading:</b> immutable.
 */
public enum PingMode {

    /**
     * Handlers on a bridge ({@code BridgeExecutorService}); {@code /query} and the background job
     * on the bridge's CPU pool ({@code Bridge.compute}, HIGH and LOW), sized processors − 1 by
     * default: one core is left for the threads that serve I/O.
     */
    BRIDGE("bridge"),

    /** As {@link #BRIDGE}, with a CPU pool of one thread per processor: nothing is left over for I/O. */
    BRIDGE_ALL_CORES("bridge-all-cores"),

    /**
     * One {@code Executors.newFixedThreadPool(processors)} runs the handlers, the queries' work
     * (inline in the handler) and the background job's chunks, as a naive server would.
     */
    COMMON_POOL("common-pool"),

    /**
     * {@code Executors.newVirtualThreadPerTaskExecutor()} runs the handlers, the queries' work inline;
     * the background job is virtual threads that compute a chunk, then {@code Thread.yield()}.
     */
    VIRTUAL("virtual");

    private final String label;

    PingMode(String label) {
        this.label = label;
    }

    /** The mode's name on the command line and in the output. */
    public String label() {
        return label;
    }

    /** Whether the server runs on a bridge. */
    boolean bridged() {
        return this == BRIDGE || this == BRIDGE_ALL_CORES;
    }
}
