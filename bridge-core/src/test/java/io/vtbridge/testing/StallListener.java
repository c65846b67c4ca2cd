package io.vtbridge.testing;

import io.vtbridge.monitor.BridgeListener;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.monitor.StallReport;

import java.util.Objects;
import java.util.function.Consumer;

/** A {@link BridgeListener} for tests that look at stall reports only: events are ignored. */
public final class StallListener {

    private StallListener() {
    }

    /** A listener that hands every stall report to {@code sink} (on the bridge's event thread). */
    public static BridgeListener of(Consumer<StallReport> sink) {
        Objects.requireNonNull(sink, "sink");
        return new BridgeListener() {
            @Override
            public void onEvent(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime) {
            }

            @Override
            public void onStall(StallReport report) {
                sink.accept(report);
            }
        };
    }
}
