package io.vtbridge;

import io.vtbridge.monitor.DelayCause;
import io.vtbridge.monitor.DelayHistogram;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.monitor.PoolMXBean;
import io.vtbridge.monitor.ShardMXBean;
import io.vtbridge.pool.WorkPool;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers and unregisters a bridge's {@link ShardMXBean}s and {@link PoolMXBean}s. Registration problems (a name already
 * taken by another bridge of the same name, a security manager) are logged by the building thread
 * and otherwise ignored: monitoring must not stop a bridge from starting.
 *
 * <p><b>Threading:</b> {@link #register} on the building thread, {@link #unregister} on the closing
 * thread.
 */
final class BridgeMBeans {

    private static final System.Logger LOG = System.getLogger(BridgeMBeans.class.getName());

    private final MBeanServer server;
    private final List<ObjectName> names;

    private BridgeMBeans(MBeanServer server, List<ObjectName> names) {
        this.server = server;
        this.names = names;
    }

    static BridgeMBeans register(Bridge bridge) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<ObjectName> names = new ArrayList<>();
        for (Shard shard : bridge.shards()) {
            register(server, names, () -> objectName(bridge.name(), shard.index()), new ShardBean(shard), shard.toString());
        }
        register(server, names, () -> poolName(bridge.name(), "cpu"), new PoolBean(bridge.cpuPool()), "cpu pool");
        register(server, names, () -> poolName(bridge.name(), "blocking"), new PoolBean(bridge.blockingPool()), "blocking pool");
        return new BridgeMBeans(server, names);
    }

    private interface Name {
        ObjectName get() throws JMException;
    }

    private static void register(MBeanServer server, List<ObjectName> names, Name name, Object bean, String what) {
        try {
            ObjectName n = name.get();
            server.registerMBean(bean, n);
            names.add(n);
        } catch (JMException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "vtbridge: MXBean of {0} not registered: {1}", what, e.toString());
        }
    }

    /** The name a pool's MXBean is registered under. */
    static ObjectName poolName(String bridge, String pool) throws JMException {
        return new ObjectName("io.vtbridge:type=Pool,bridge=" + ObjectName.quote(bridge) + ",pool=" + pool);
    }

    /** The name a shard's MXBean is registered under. */
    static ObjectName objectName(String bridge, int shard) throws JMException {
        return new ObjectName("io.vtbridge:type=Shard,bridge=" + ObjectName.quote(bridge) + ",shard=" + shard);
    }

    void unregister() {
        for (ObjectName name : names) {
            try {
                server.unregisterMBean(name);
            } catch (JMException | RuntimeException ignored) {
                // already gone: nothing to do
            }
        }
    }

    /** The live view behind one pool's MXBean. */
    private static final class PoolBean implements PoolMXBean {
        private final WorkPool pool;

        PoolBean(WorkPool pool) {
            this.pool = pool;
        }

        @Override public int getThreads() { return pool.stats().threads(); }
        @Override public int getLiveThreads() { return pool.stats().liveThreads(); }
        @Override public int getQueuedHigh() { return pool.stats().queuedHigh(); }
        @Override public int getQueuedLow() { return pool.stats().queuedLow(); }
        @Override public int getRunning() { return pool.stats().running(); }
        @Override public long getCompleted() { return pool.stats().completed(); }
        @Override public long getRejected() { return pool.stats().rejected(); }
    }

    /** The live view behind one shard's MXBean. */
    private static final class ShardBean implements ShardMXBean {
        private final Shard shard;

        ShardBean(Shard shard) {
            this.shard = shard;
        }

        @Override public int getShard() { return shard.index(); }
        @Override public long getTasksStarted() { return shard.stats().tasksStarted(); }
        @Override public long getTasksFinished() { return shard.stats().tasksFinished(); }
        @Override public long getMounts() { return shard.stats().mounts(); }
        @Override public long getLocalResumes() { return shard.stats().localResumes(); }
        @Override public long getRemoteResumes() { return shard.stats().remoteResumes(); }
        @Override public long getExpiryResumes() { return shard.stats().expiryResumes(); }
        @Override public long getTimersFired() { return shard.stats().timersFired(); }
        @Override public long getLoopIterations() { return shard.stats().loopIterations(); }
        @Override public long getLoopParks() { return shard.stats().loopParks(); }
        @Override public long getUnparks() { return shard.stats().unparks(); }
        @Override public long getDropped() { return shard.stats().dropped(); }
        @Override public long getLoopErrors() { return shard.stats().loopErrors(); }
        @Override public long getInboundDepth() { return shard.stats().inboundDepth(); }
        @Override public long getLocalDepth() { return shard.stats().localDepth(); }
        @Override public long getPendingTimers() { return shard.stats().pendingTimers(); }
        @Override public long getLongestIterationNanos() { return shard.stats().longestIterationNanos(); }
        @Override public long getEventsLost() { return shard.eventsLost(); }
        @Override public long getStalls() { return shard.stalls(); }
        @Override public long getHandOffs() { return shard.handOffs(); }
        @Override public int getExtraCarriers() { return shard.extraCarriers(); }
        @Override public Map<String, Long> getRequests() { return byName(EventPhase.REQUEST); }
        @Override public Map<String, Long> getSuspends() { return byName(EventPhase.SUSPEND); }
        @Override public Map<String, Long> getResumes() { return byName(EventPhase.RESUME); }

        @Override public long getLaneRescues() { return shard.stats().laneRescues(); }
        @Override public long getHogMoves() { return shard.stats().hogMoves(); }
        @Override public long getHogReturns() { return shard.stats().hogReturns(); }
        @Override public Map<String, Long> getSchedulingDelayP50Micros() { return delays(h -> h.percentile(50)); }
        @Override public Map<String, Long> getSchedulingDelayP99Micros() { return delays(h -> h.percentile(99)); }
        @Override public Map<String, Long> getSchedulingDelayMaxMicros() { return delays(DelayHistogram::max); }

        private Map<String, Long> delays(java.util.function.ToLongFunction<DelayHistogram> figure) {
            Map<String, Long> m = new LinkedHashMap<>();
            for (DelayCause cause : DelayCause.values()) {
                m.put(cause.name(), figure.applyAsLong(shard.delays(cause)) / 1_000);
            }
            return m;
        }

        private Map<String, Long> byName(EventPhase phase) {
            Map<String, Long> m = new LinkedHashMap<>();
            for (EventKind kind : EventKind.values()) {
                m.put(kind.name(), shard.events(phase, kind));
            }
            return m;
        }
    }
}
