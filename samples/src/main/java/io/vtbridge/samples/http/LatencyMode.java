package io.vtbridge.samples.http;

import io.vtbridge.Bridge;
import io.vtbridge.adapters.executor.BridgeExecutorService;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where {@link HttpLatency}'s server runs its handlers. The handlers and the load are the same in
 * both modes.
 *
 * <p><b>Threading:</b> immutable.
 */
public enum LatencyMode {

    /** Each exchange a bridged virtual thread ({@code BridgeExecutorService} over a bridge of its own). */
    BRIDGE("bridge"),

    /** Each exchange a virtual thread of the JDK's default scheduler ({@code newVirtualThreadPerTaskExecutor}). */
    VIRTUAL("virtual");

    private final String label;

    LatencyMode(String label) {
        this.label = label;
    }

    /** The mode's name on the command line and in the output. */
    public String label() {
        return label;
    }

    /** The executor for a server in this mode; {@code bridge} is used only by {@link #BRIDGE}. */
    ExecutorService executor(Bridge bridge) {
        return this == BRIDGE ? BridgeExecutorService.of(bridge) : Executors.newVirtualThreadPerTaskExecutor();
    }
}
