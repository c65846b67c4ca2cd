package io.vtbridge.samples.stress;

import java.time.Duration;

/**
 * The baseline a user would otherwise write: the same scenario on fresh platform threads, again and
 * again, until it fails, hangs, or the budget is spent. The operating system chooses the
 * interleavings; time is real (a bug that shows as a 10 s time-out costs 10 s); a hang is an
 * iteration still running after the hang bound, and its threads (daemons) are interrupted and left.
 *
 * <p><b>Threading:</b> {@link #search} on one thread at a time.
 */
final class PlatformLoop {

    private PlatformLoop() {
    }

    static StressSample.Row search(PlantedBugs.Bug bug, int repeat, int maxIterations, Duration budget, Duration hang)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        int i = 0;
        while (i < maxIterations && System.nanoTime() - deadline < 0) {
            i++;
            String outcome = once(bug, hang);
            if (outcome != null) {
                return new StressSample.Row(bug.name(), "platform", "OS threads", repeat, i,
                        (System.nanoTime() - start) / 1_000, true, outcome, null, 0L);
            }
        }
        return new StressSample.Row(bug.name(), "platform", "OS threads", repeat, i, (System.nanoTime() - start) / 1_000,
                false, "-", null, 0L);
    }

    /** One iteration: null if it passed, else "FAILED" or "DEADLOCK" (it hung). */
    private static String once(PlantedBugs.Bug bug, Duration hang) throws InterruptedException {
        PlatformContext ctx = new PlatformContext("platform");
        Thread main = Thread.ofPlatform().daemon().name("main").start(() -> {
            try {
                bug.scenario().run(ctx);
            } catch (Throwable t) {
                ctx.fail(t);
            }
        });
        if (!main.join(hang)) {
            main.interrupt();
            ctx.threads().forEach(Thread::interrupt);
            return "DEADLOCK";
        }
        return ctx.failure() != null ? "FAILED" : null;
    }
}
