package io.vtbridge.adapters.io;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Watches one child's exit, for the case its reader cannot see: a child that exits while a process
 * it started still holds its standard output (or error) open. The reader then waits in a read that
 * only that other process can end, and the child's requests would wait with it.
 *
 * <p>When the process exits ({@link Process#onExit()}), the watch notes the reader's progress and
 * looks again every {@link #OUTPUT_AFTER_EXIT}: if the end has been reported, it stops; if the reader
 * read a frame meanwhile, or is handing one on (a dependent stage may hold it there for long), it
 * looks again later; otherwise the reader has waited a whole grace period for bytes that a dead child
 * can no longer send (what it wrote before it exited was in the pipe and is read in far less), and
 * the watch gives up on the child ({@link ChildSession#giveUpAfterExit}): its unanswered requests
 * fail with a {@link ProcessDiedException} carrying its exit code and stderr tail.
 *
 * <p><b>Threading:</b> {@link #watch} is called by the writer thread when it starts a child. The
 * looks are cheap (two volatile reads) and run on the JDK's delay-scheduler thread of
 * {@link CompletableFuture#delayedExecutor}; the give-up, which completes futures and so runs their
 * dependent stages, runs on {@link CompletableFuture}'s default async executor, never on a thread
 * the JDK shares for timing.
 */
final class ExitWatch {

    /** How long a child's reader may wait, after the child exited, without progress before the watch gives up on it. */
    static final Duration OUTPUT_AFTER_EXIT = Duration.ofSeconds(2);

    private static final Executor AFTER_GRACE =
            CompletableFuture.delayedExecutor(OUTPUT_AFTER_EXIT.toNanos(), TimeUnit.NANOSECONDS, Runnable::run);

    private final ChildSession child;

    private ExitWatch(ChildSession child) {
        this.child = child;
    }

    /** Starts watching {@code process}, the process of {@code child}. */
    static void watch(ChildSession child, Process process) {
        ExitWatch watch = new ExitWatch(child);
        process.onExit().thenRun(watch::exited);
    }

    private void exited() {
        if (!child.isReported()) {
            lookAgainLater(child.readerProgress());
        }
    }

    private void lookAgainLater(long seen) {
        AFTER_GRACE.execute(() -> look(seen));
    }

    private void look(long seen) {
        if (child.isReported()) {
            return;
        }
        long now = child.readerProgress();
        boolean handingOn = (now & 1) == 1;
        if (now != seen || handingOn) {
            lookAgainLater(now);
            return;
        }
        CompletableFuture.runAsync(() -> child.giveUpAfterExit(OUTPUT_AFTER_EXIT));
    }
}
