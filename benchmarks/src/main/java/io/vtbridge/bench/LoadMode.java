package io.vtbridge.bench;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeBuilder;
import io.vtbridge.Priority;
import io.vtbridge.monitor.BridgeListener;
import io.vtbridge.monitor.DelayCause;
import io.vtbridge.monitor.DelayHistogram;
import io.vtbridge.monitor.ShardStats;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.monitor.StallReport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The executors {@link LoadLatencyHarness} compares: the bridge (and the bridge that moves hogs to
 * its CPU pool, {@code BridgeBuilder.moveHogs}; and {@code bridge-defaults}, the bridge as built by
 * default, doing exactly the JDK modes' work: no histograms, no listener, no lane pings), default virtual threads
 * ({@code newVirtualThreadPerTaskExecutor}), and a fixed pool of platform threads.
 *
 * <p><b>Threading:</b> a runner is started and closed by the harness's main thread; its submit
 * methods are called by the main thread and the ping thread.
 */
enum LoadMode {
    BRIDGE("bridge"),
    BRIDGE_MOVING_HOGS("bridge-moving"),
    BRIDGE_UNOBSERVED("bridge-defaults"),
    VIRTUAL("virtual"),
    FIXED("fixed");

    final String name;

    LoadMode(String name) {
        this.name = name;
    }

    static LoadMode named(String name) {
        for (LoadMode m : values()) {
            if (m.name.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--modes: unknown mode " + name + " (bridge, bridge-moving, bridge-defaults, virtual, fixed)");
    }

    Runner start(LoadLatencyHarness.LoadOptions o) {
        return switch (this) {
            case BRIDGE -> new BridgeRunner(o, false, true);
            case BRIDGE_MOVING_HOGS -> new BridgeRunner(o, true, true);
            case BRIDGE_UNOBSERVED -> new BridgeRunner(o, false, false);
            case VIRTUAL -> new ExecutorRunner(Executors.newVirtualThreadPerTaskExecutor());
            case FIXED -> new ExecutorRunner(Executors.newFixedThreadPool(o.fixedThreads));
        };
    }

    /** One round's executor. */
    interface Runner extends AutoCloseable {
        Future<?> submit(Callable<?> call);

        /** A trivial task through the ordinary path. */
        Future<?> ping(Runnable ping);

        /** Whether {@link #urgentPing} exists for this executor. */
        default boolean hasLatencyLane() {
            return false;
        }

        /** A trivial task through the executor's latency lane. */
        default Future<?> urgentPing(Runnable ping) {
            throw new UnsupportedOperationException();
        }

        /** Per-shard figures worth printing after a round, or an empty string. */
        default String diagnostics() {
            return "";
        }

        /** The stall reports of the round (the bridge's watchdog), else empty. */
        default List<StallReport> reports() {
            return List.of();
        }

        @Override
        void close() throws InterruptedException;
    }

    /** The bridge, with a listener that keeps the watchdog's reports. */
    static final class BridgeRunner implements Runner {
        private final List<StallReport> reports = new CopyOnWriteArrayList<>();
        private final Bridge bridge;
        private final boolean observed;

        /**
         * @param observed with the scheduling-delay histograms, a listener that keeps the stall reports
         *                 (whose events the bridge's event thread delivers) and the latency lane's pings;
         *                 without, the bridge's defaults and only the pings the JDK's executors get too
         *                 (its watchdog still logs reports, which the round does not count)
         */
        BridgeRunner(LoadLatencyHarness.LoadOptions o, boolean moveHogs, boolean observed) {
            BridgeBuilder builder = Bridge.builder();
            if (o.sliceMicros > 0) {
                builder.turnSlice(Duration.ofNanos(o.sliceMicros * 1_000L));
            }
            if (o.laneRescueMicros > 0) {
                builder.laneRescueAfter(Duration.ofNanos(o.laneRescueMicros * 1_000L));
            }
            if (o.idleSpins >= 0) {
                builder.idleSpins(o.idleSpins);
            }
            builder.shards(o.shards).maxInFlight(o.callers + 100_000).name("load").moveHogs(moveHogs);
            if (observed) {
                builder.schedulingDelays(true).eventBuffer(2).listener(new BridgeListener() {
                    @Override
                    public void onEvent(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime) {
                    }

                    @Override
                    public void onStall(StallReport report) {
                        reports.add(report);
                    }
                });
            }
            bridge = builder.build();
            this.observed = observed;
        }

        @Override
        public Future<?> submit(Callable<?> call) {
            return bridge.submit(call);
        }

        @Override
        public Future<?> ping(Runnable ping) {
            return bridge.submit(() -> {
                ping.run();
                return null;
            });
        }

        @Override
        public boolean hasLatencyLane() {
            return observed; // bridge-defaults sends the JDK modes' pings only: the same work, for throughput
        }

        @Override
        public Future<?> urgentPing(Runnable ping) {
            return bridge.submit(Priority.HIGH, () -> {
                ping.run();
                return null;
            });
        }

        @Override
        public List<StallReport> reports() {
            return List.copyOf(reports);
        }

        @Override
        public String diagnostics() {
            StringBuilder sb = new StringBuilder();
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("load-")) {
                    sb.append(String.format(java.util.Locale.ROOT, "  %s cpu %.2f s%n", t.getName(), mx.getThreadCpuTime(t.threadId()) / 1e9));
                }
            }
            for (ShardStats st : bridge.stats()) {
                sb.append(String.format(java.util.Locale.ROOT, "  shard %d: longest turn %.1f ms, mounts %,d, turns %,d, parks %,d, tasks %,d, lane rescues %,d, hog moves %,d / returns %,d;",
                        st.shard(), st.longestIterationNanos() / 1e6, st.mounts(), st.loopIterations(), st.loopParks(),
                        st.tasksFinished(), st.laneRescues(), st.hogMoves(), st.hogReturns()));
                for (DelayCause c : DelayCause.values()) {
                    DelayHistogram h = st.delays(c);
                    if (h.count() > 0) {
                        sb.append(String.format(java.util.Locale.ROOT, " %s n=%,d p50=%.3f p99=%.3f max=%.1f ms;", c, h.count(),
                                h.percentile(50) / 1e6, h.percentile(99) / 1e6, h.max() / 1e6));
                    }
                }
                sb.append('\n');
            }
            return sb.toString();
        }

        @Override
        public void close() {
            bridge.close();
        }
    }

    /** A JDK executor. */
    static final class ExecutorRunner implements Runner {
        private final ExecutorService executor;

        ExecutorRunner(ExecutorService executor) {
            this.executor = executor;
        }

        @Override
        public Future<?> submit(Callable<?> call) {
            return executor.submit(call);
        }

        @Override
        public Future<?> ping(Runnable ping) {
            return executor.submit(ping);
        }

        @Override
        public void close() throws InterruptedException {
            executor.shutdown();
            if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                executor.shutdownNow();
            }
        }
    }
}
