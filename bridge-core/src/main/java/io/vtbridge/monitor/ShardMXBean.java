package io.vtbridge.monitor;

import io.vtbridge.BridgeBuilder;
import io.vtbridge.Shard;
import java.util.Map;

/**
 * One shard's figures over JMX, registered as {@code io.vtbridge:type=Shard,bridge=<name>,shard=<i>}
 * while its bridge runs (see {@link BridgeBuilder#jmx}). Every attribute is a live read of the
 * shard's counters, as in {@link ShardStats}.
 *
 * <p><b>Threading:</b> any thread; each getter reads its figure on its own, so two getters may
 * see two different moments.
 */
public interface ShardMXBean {
    /** @see ShardStats#shard() */
    int getShard();

    /** @see ShardStats#tasksStarted() */
    long getTasksStarted();

    /** @see ShardStats#tasksFinished() */
    long getTasksFinished();

    /** @see ShardStats#mounts() */
    long getMounts();

    /** @see ShardStats#localResumes() */
    long getLocalResumes();

    /** @see ShardStats#remoteResumes() */
    long getRemoteResumes();

    /** @see ShardStats#expiryResumes() */
    long getExpiryResumes();

    /** @see ShardStats#timersFired() */
    long getTimersFired();

    /** @see ShardStats#loopIterations() */
    long getLoopIterations();

    /** @see ShardStats#loopParks() */
    long getLoopParks();

    /** @see ShardStats#unparks() */
    long getUnparks();

    /** @see ShardStats#dropped() */
    long getDropped();

    /** @see ShardStats#loopErrors() */
    long getLoopErrors();

    /** @see ShardStats#inboundDepth() */
    long getInboundDepth();

    /** @see ShardStats#localDepth() */
    long getLocalDepth();

    /** @see ShardStats#pendingTimers() */
    long getPendingTimers();

    /** @see ShardStats#longestIterationNanos() */
    long getLongestIterationNanos();

    /** @see ShardStats#laneRescues() */
    long getLaneRescues();

    /** @see ShardStats#hogMoves() */
    long getHogMoves();

    /** @see ShardStats#hogReturns() */
    long getHogReturns();

    /** @see Shard#eventsLost() */
    long getEventsLost();

    /** Stalls the watchdog reported. @see Shard#stalls() */
    long getStalls();

    /** Hand-offs to a fresh carrier. @see Shard#handOffs() */
    long getHandOffs();

    /** Carriers that lost the loop and are still stuck. @see Shard#extraCarriers() */
    int getExtraCarriers();

    /** REQUEST events by kind name. */
    Map<String, Long> getRequests();

    /** SUSPEND events by kind name. */
    Map<String, Long> getSuspends();

    /** RESUME events by kind name. */
    Map<String, Long> getResumes();

    /** Scheduling delay, median, in microseconds, by {@link DelayCause} name. @see ShardStats#schedulingDelays() */
    Map<String, Long> getSchedulingDelayP50Micros();

    /** Scheduling delay, 99th percentile, in microseconds, by {@link DelayCause} name. */
    Map<String, Long> getSchedulingDelayP99Micros();

    /** Scheduling delay, the largest, in microseconds, by {@link DelayCause} name. */
    Map<String, Long> getSchedulingDelayMaxMicros();
}
