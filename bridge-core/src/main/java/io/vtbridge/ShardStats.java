package io.vtbridge;

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
 * @param remoteResumes   continuations that came through the inbound queue (from other threads)
 * @param expiryResumes   continuations that came through the expiry queue: timed parks
 *                        ({@code Thread.sleep}) resumed by the JDK's timer thread, on JDK 25
 * @param timersFired     loop timers expired ({@code Bridge.sleep})
 * @param loopIterations  loop iterations that found work
 * @param loopParks       times the idle loop parked
 * @param unparks         unparks other threads issued to wake this loop
 * @param dropped         continuations that arrived after the loop stopped (their threads never run again)
 * @param loopErrors      throwables that escaped a continuation or the loop itself (0 in a healthy loop)
 */
public record ShardStats(int shard, long tasksStarted, long tasksFinished, long mounts, long resumes,
                         long suspends, long localResumes, long remoteResumes, long expiryResumes, long timersFired,
                         long loopIterations, long loopParks, long unparks, long dropped, long loopErrors) {
}
