package io.vtbridge.monitor;

import io.vtbridge.Bridge;
import io.vtbridge.Shard;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of one shard's counters. Each field is read without tearing but the snapshot as a whole
 * is not atomic: counters keep moving while it is taken.
 *
 * <p>{@code resumes} and {@code suspends} are derived from mounts: every mount of a virtual thread is
 * its start or a resume, and every mount ends in a suspend or the thread's end. Starts and ends are
 * counted for the threads vtbridge creates (tasks and {@link Shard#newThread}); a child thread that
 * bridged code starts itself with {@code Thread.ofVirtual()} shows its start as a resume and its end
 * as a suspend.
 *
 * @param shard           the shard index
 * @param tasksStarted    submitted tasks that began running on this shard
 * @param tasksFinished   submitted tasks that finished on this shard
 * @param mounts          continuations run (virtual-thread starts plus resumes)
 * @param resumes         {@code mounts - threadsStarted}: resumes of suspended virtual threads
 * @param suspends        {@code mounts - threadsEnded}: unmounts that left the thread alive
 * @param localResumes    continuations scheduled from the loop's own thread (no atomics)
 * @param remoteResumes   continuations that came from other threads: starts (the inbound queue) and
 *                        resumes (the resume queue)
 * @param expiryResumes   continuations that came through the expiry queue: on JDK 25, timed waits
 *                        (and timed parks armed off the loop's owner) resumed by the JDK's timer thread
 * @param timersFired     loop timers expired ({@code Bridge.sleep}, lock timeouts; on JDK 25 also
 *                        timed parks such as {@code Thread.sleep})
 * @param loopIterations  loop iterations that found work
 * @param loopParks       times the idle loop parked
 * @param unparks         unparks other threads issued to wake this loop
 * @param dropped         continuations that arrived after the loop stopped (their threads never run again)
 * @param loopErrors      throwables that escaped a continuation or the loop itself (0 in a healthy loop)
 * @param inboundDepth    continuations from other threads waiting in the loop's cross-thread queues
 *                        (inbound, resume and expiry)
 * @param localDepth      the local run queue's length after the last iteration that found work
 * @param pendingTimers   loop timers pending after the last iteration that found work
 * @param longestIterationNanos the longest loop iteration so far (a stall shows here)
 * @param laneRescues     latency-lane starts the loop had not taken within {@code laneRescueAfter}
 *                        (it was held by one long mount), run off the loop instead (the lane thread, or the CPU pool)
 * @param hogMoves        runs of hogs moved to the CPU pool ({@code BridgeBuilder.moveHogs})
 * @param hogReturns      runs of moved hogs that ended in a block, after which the thread resumed on
 *                        its shard
 * @param requests        REQUEST events by kind (see {@link EventKind}; PARK has none)
 * @param suspendsByKind  SUSPEND events by kind: unmounts, classified
 * @param resumesByKind   RESUME events by kind
 * @param schedulingDelays how long continuations waited between becoming runnable and being mounted,
 *                        by cause (empty histograms when the bridge does not measure them)
 */
public record ShardStats(int shard, long tasksStarted, long tasksFinished, long mounts, long resumes,
                         long suspends, long localResumes, long remoteResumes, long expiryResumes, long timersFired,
                         long loopIterations, long loopParks, long unparks, long dropped, long loopErrors,
                         long inboundDepth, long localDepth, long pendingTimers, long longestIterationNanos,
                         long laneRescues, long hogMoves, long hogReturns,
                         Map<EventKind, Long> requests, Map<EventKind, Long> suspendsByKind,
                         Map<EventKind, Long> resumesByKind, Map<DelayCause, DelayHistogram> schedulingDelays) {

    /** Copies the maps (unmodifiable, in {@link EventKind} order). */
    public ShardStats {
        requests = copy(requests);
        suspendsByKind = copy(suspendsByKind);
        resumesByKind = copy(resumesByKind);
        EnumMap<DelayCause, DelayHistogram> delays = new EnumMap<>(DelayCause.class);
        for (DelayCause cause : DelayCause.values()) {
            delays.put(cause, schedulingDelays.getOrDefault(cause, DelayHistogram.empty()));
        }
        schedulingDelays = Collections.unmodifiableMap(delays);
    }

    /** The scheduling delays of {@code cause} in this snapshot. */
    public DelayHistogram delays(DelayCause cause) {
        return schedulingDelays.get(cause);
    }

    private static Map<EventKind, Long> copy(Map<EventKind, Long> m) {
        EnumMap<EventKind, Long> c = new EnumMap<>(EventKind.class);
        c.putAll(m);
        return Collections.unmodifiableMap(c);
    }

    /** The count of {@code phase} events of {@code kind} in this snapshot. */
    public long events(EventPhase phase, EventKind kind) {
        Map<EventKind, Long> m = switch (phase) {
            case REQUEST -> requests;
            case SUSPEND -> suspendsByKind;
            case RESUME -> resumesByKind;
        };
        return m.getOrDefault(kind, 0L);
    }
}
