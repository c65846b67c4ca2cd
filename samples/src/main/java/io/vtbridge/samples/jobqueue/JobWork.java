package io.vtbridge.samples.jobqueue;

import io.vtbridge.Bridge;

import java.time.Duration;

/**
 * What a job does: {@code WAITING} (a short sleep: acquiring what it needs), then {@code RUNNING}
 * for each of its operations (a little CPU work and a sleep of {@code opMillis}), publishing each
 * change, then {@code SUCCESS}. The sleeps are {@link Bridge#sleep}: a timer on the shard's loop in
 * bridged code, {@code Thread.sleep} on a plain thread.
 *
 * <p><b>Threading:</b> {@link #run} on the runner's thread; a cancel interrupts it.
 */
final class JobWork {

    private static volatile long sink;                   // written by every job, never read: keeps the work

    private JobWork() {
    }

    /** Runs {@code job} to its end, or until it is cancelled (then returns quietly). */
    static void run(Job job) {
        try {
            if (!job.publish(JobState.WAITING, 0)) {
                return;                                           // cancelled before it started
            }
            Bridge.sleep(Duration.ofMillis(job.opMillis() / 2));
            if (!job.publish(JobState.RUNNING, 0)) {
                return;
            }
            for (int op = 1; op <= job.ops(); op++) {
                sink = work(job.id() + op);
                Bridge.sleep(Duration.ofMillis(job.opMillis()));
                if (!job.publish(op == job.ops() ? JobState.SUCCESS : JobState.RUNNING, op)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // cancel(): the job is CANCELED already; nothing left to publish
        } catch (RuntimeException e) {
            job.publish(JobState.ERROR, job.snapshot().opsDone());
            throw e;
        }
    }

    /** A few microseconds of CPU work, so an operation is not only a sleep. */
    private static long work(long seed) {
        long x = seed;
        for (int i = 0; i < 10_000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }
}
