package io.vtbridge;

import io.vtbridge.monitor.StallReport;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

import java.time.Duration;
import java.util.List;

/**
 * Subscribes to the JVM's {@code jdk.VirtualThreadPinned} events (JFR event streaming) and reports
 * those of this bridge's virtual threads as {@link StallReport.Kind#PINNED} stalls: a virtual thread
 * that parked while pinned (in a class initialiser or a native frame; inside {@code synchronized}
 * on JDK 21–23), which held its shard's carrier for the whole park. Opt-in
 * ({@link BridgeBuilder#reportPinned}): a JFR recording costs a few threads and a disk repository.
 *
 * <p><b>Threading:</b> {@link #start} and {@link #close} by the bridge's lifecycle code; events are
 * handled on JFR's streaming thread.
 */
final class PinnedEventWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PinnedEventWatcher.class.getName());
    static final String EVENT = "jdk.VirtualThreadPinned";

    private final RecordingStream stream;

    private PinnedEventWatcher(RecordingStream stream) {
        this.stream = stream;
    }

    /** Starts watching, or returns {@code null} (with a warning) where JFR is not available. */
    static PinnedEventWatcher start(Bridge bridge, Duration threshold) {
        if (ModuleLayer.boot().findModule("jdk.jfr").isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "vtbridge: reportPinned: this JVM has no jdk.jfr module");
            return null;
        }
        try {
            RecordingStream stream = new RecordingStream();
            stream.enable(EVENT).withThreshold(threshold).withStackTrace();
            stream.onEvent(EVENT, event -> report(bridge, event));
            stream.startAsync();
            return new PinnedEventWatcher(stream);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "vtbridge: reportPinned: JFR streaming unavailable: {0}", e.toString());
            return null;
        }
    }

    private static void report(Bridge bridge, RecordedEvent event) {
        RecordedThread recorded = event.getThread();
        if (recorded == null) {
            return;
        }
        long id = recorded.getJavaThreadId();
        Shard shard = null;
        Thread thread = null;
        for (Shard s : bridge.shards()) {
            thread = bridge.threads().withId(s, id);
            if (thread != null) {
                shard = s;
                break;
            }
        }
        if (shard == null) {
            return; // not one of ours (or it has ended already)
        }
        // JFR reports the park after it happened; the thread was found alive just now.
        StallReport report = new StallReport(StallReport.Kind.PINNED, shard.index(), shard.threadName(), thread,
                thread.toString(), frames(event.getStackTrace()), event.getDuration().toNanos(), null, null, false, 0,
                java.util.Map.of(), 0, 0, 0);
        shard.countPinned();
        LOG.log(System.Logger.Level.WARNING, report.describe());
        bridge.deliverStall(report);
    }

    private static StackTraceElement[] frames(RecordedStackTrace trace) {
        if (trace == null) {
            return new StackTraceElement[0];
        }
        List<RecordedFrame> frames = trace.getFrames();
        StackTraceElement[] stack = new StackTraceElement[frames.size()];
        for (int i = 0; i < stack.length; i++) {
            RecordedFrame f = frames.get(i);
            stack[i] = new StackTraceElement(f.getMethod().getType().getName(), f.getMethod().getName(), null,
                    f.getLineNumber());
        }
        return stack;
    }

    @Override
    public void close() {
        stream.close();
    }
}
