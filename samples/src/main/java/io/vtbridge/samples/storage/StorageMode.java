package io.vtbridge.samples.storage;

import io.vtbridge.BlockingPolicy;

/**
 * Where the sample runs the store's operations: the bridge in four ways, and the two JDK
 * alternatives a user would otherwise pick. {@link Target#open} builds each.
 *
 * <p><b>Threading:</b> constants; any thread.
 */
public enum StorageMode {

    /** JDK virtual threads, one per operation ({@code Executors.newVirtualThreadPerTaskExecutor()}). */
    VIRTUAL("virtual", false, null),
    /** A fixed pool of platform threads (a {@code ThreadPoolExecutor} as {@code Executors.newFixedThreadPool} makes, all started). */
    PLATFORM("platform", false, null),
    /** {@code bridge.submit}, {@link BlockingPolicy#REPORT} (the default): a carrier-blocking call holds its shard. */
    REPORT("report", true, BlockingPolicy.REPORT),
    /** {@code bridge.submit}, {@link BlockingPolicy#HAND_OFF}: a hog's loop moves to a fresh carrier at the threshold. */
    HAND_OFF("hand-off", true, BlockingPolicy.HAND_OFF),
    /** {@code bridge.submit(Mode.SYNC, ...)}: each operation on a platform thread of the bridge's blocking pool. */
    SYNC("sync", true, BlockingPolicy.REPORT),
    /**
     * {@code bridge.submit}, REPORT, with {@code BridgeFileSystemProvider} as the JVM's default file
     * system provider: MVStore's {@code FileChannel} calls go to the blocking pool. Needs its own JVM.
     */
    PROVIDER("provider", true, BlockingPolicy.REPORT);

    private final String label;
    private final boolean bridged;
    private final BlockingPolicy policy;

    StorageMode(String label, boolean bridged, BlockingPolicy policy) {
        this.label = label;
        this.bridged = bridged;
        this.policy = policy;
    }

    /** The name on the command line and in the table. */
    public String label() {
        return label;
    }

    /** Whether the operations go through a bridge (and so there are loops that may stall). */
    public boolean bridged() {
        return bridged;
    }

    /** The bridge's blocking policy, or {@code null} for the JDK modes. */
    BlockingPolicy policy() {
        return policy;
    }

    /** The mode named {@code label}, or {@code null}. */
    public static StorageMode byLabel(String label) {
        for (StorageMode mode : values()) {
            if (mode.label.equals(label)) {
                return mode;
            }
        }
        return null;
    }
}
