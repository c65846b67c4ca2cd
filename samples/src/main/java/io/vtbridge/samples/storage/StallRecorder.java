package io.vtbridge.samples.storage;

import io.vtbridge.monitor.BridgeListener;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.monitor.StallReport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts a bridge's stall reports ({@link BridgeListener#onStall}): hogs (one mount held a loop's
 * carrier past the threshold: a carrier-blocking call such as {@code FileChannel.force}), lags (one
 * turn of many shorter mounts past the threshold, or a carrier that waited for a CPU inside a short
 * mount: the stalls no thread is blamed for), how many hogs were handed off, and the longest of each
 * as reported. Events are ignored.
 *
 * <p><b>Threading:</b> the bridge calls {@link #onStall} on its event thread; the getters are read by
 * the sample's thread after {@code Bridge.close()} has delivered the last report.
 */
final class StallRecorder implements BridgeListener {

    private final AtomicLong hogs = new AtomicLong();         // HOG and LOOP_BLOCKED reports; the event thread writes
    private final AtomicLong lags = new AtomicLong();         // LAG and STARVED reports; the event thread writes
    private final AtomicLong handedOff = new AtomicLong();    // hog reports whose loop moved to a fresh carrier
    private final AtomicLong longestHog = new AtomicLong();   // nanos, the longest hog as reported
    private final AtomicLong longestLag = new AtomicLong();   // nanos, the longest lag as reported

    @Override
    public void onEvent(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime) {
        // Only stalls matter here; the events' counters are in ShardStats anyway.
    }

    @Override
    public void onStall(StallReport report) {
        switch (report.kind()) {
            case HOG, LOOP_BLOCKED -> {
                hogs.incrementAndGet();
                longestHog.accumulateAndGet(report.nanos(), Math::max);
                if (report.handedOff()) {
                    handedOff.incrementAndGet();
                }
            }
            case LAG, STARVED -> {
                lags.incrementAndGet();
                longestLag.accumulateAndGet(report.nanos(), Math::max);
            }
            case PINNED -> { } // not asked for (reportPinned is off)
        }
    }

    long hogs() {
        return hogs.get();
    }

    long lags() {
        return lags.get();
    }

    long handedOff() {
        return handedOff.get();
    }

    long longestHogNanos() {
        return longestHog.get();
    }

    long longestLagNanos() {
        return longestLag.get();
    }
}
