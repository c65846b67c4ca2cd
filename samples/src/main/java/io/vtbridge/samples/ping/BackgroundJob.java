package io.vtbridge.samples.ping;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeOverloadedException;
import io.vtbridge.Priority;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's background job (a compaction, a refresh): a few loops that each compute one chunk
 * of {@link CpuWork} after another, for as long as the server runs. Three forms of the same loops,
 * one per kind of server:
 * <ul>
 *   <li>{@link #onBridge}: bridged virtual threads, each chunk through
 *       {@code Bridge.compute(Priority.LOW, …)}: it runs on the CPU pool only when no query waits;</li>
 *   <li>{@link #onPool}: each chunk a task on the server's one fixed pool, which queues the next
 *       chunk when it ends;</li>
 *   <li>{@link #onVirtualThreads}: plain virtual threads computing a chunk, then
 *       {@code Thread.yield()}, so that other virtual threads get a turn between chunks.</li>
 * </ul>
 *
 * <p><b>Threading:</b> {@link #chunks} from any thread; {@link #close} from a thread that is not one
 * of the job's (and, for {@link #onBridge}, not one of the bridge's); a second call does nothing.
 */
final class BackgroundJob implements AutoCloseable {

    private final AtomicLong chunks = new AtomicLong();
    private final AtomicLong overloaded = new AtomicLong();
    private final List<Runnable> stoppers = new ArrayList<>();
    private volatile boolean stopped;                     // set by close(); read by the loops between chunks

    private BackgroundJob() {
    }

    /** {@code loops} bridged loops of {@code Bridge.compute(Priority.LOW, chunk)}. */
    static BackgroundJob onBridge(Bridge bridge, int loops, long chunkIterations) {
        BackgroundJob job = new BackgroundJob();
        for (int i = 0; i < loops; i++) {
            long seed = i;
            CompletableFuture<Void> loop = bridge.submit(() -> {
                while (!job.stopped) {
                    try {
                        Bridge.compute(Priority.LOW, () -> CpuWork.run(chunkIterations, seed));
                        job.chunks.incrementAndGet();
                    } catch (BridgeOverloadedException full) {
                        job.overloaded.incrementAndGet();  // the CPU pool's queue is full: back off
                        Bridge.sleep(Duration.ofMillis(1));
                    }
                }
                return null;
            });
            // An interrupt ends a loop that waits for a LOW chunk behind a steady stream of queries.
            job.stoppers.add(() -> loop.cancel(true));
        }
        return job;
    }

    /** {@code loops} chains of chunks on {@code pool}: each chunk, when it ends, queues the next. */
    static BackgroundJob onPool(ExecutorService pool, int loops, long chunkIterations) {
        BackgroundJob job = new BackgroundJob();
        for (int i = 0; i < loops; i++) {
            long seed = i;
            pool.execute(new Runnable() {
                @Override
                public void run() {
                    if (job.stopped) {
                        return;
                    }
                    CpuWork.run(chunkIterations, seed);
                    job.chunks.incrementAndGet();
                    try {
                        pool.execute(this);
                    } catch (RejectedExecutionException shutDown) {
                        // the server is closing: the chain ends here
                    }
                }
            });
        }
        return job;                                        // the chains end at stop, or when the pool shuts down
    }

    /** {@code loops} virtual threads: a chunk, then {@code Thread.yield()}, until closed. */
    static BackgroundJob onVirtualThreads(int loops, long chunkIterations) {
        BackgroundJob job = new BackgroundJob();
        for (int i = 0; i < loops; i++) {
            long seed = i;
            Thread thread = Thread.ofVirtual().name("background-" + i).start(() -> {
                while (!job.stopped) {
                    CpuWork.run(chunkIterations, seed);
                    job.chunks.incrementAndGet();
                    Thread.yield();
                }
            });
            job.stoppers.add(() -> joinUninterruptibly(thread));
        }
        return job;
    }

    /** Chunks computed so far. */
    long chunks() {
        return chunks.get();
    }

    /** Chunks the bridge's CPU pool refused because its queue was full (then the loop backed off 1 ms). */
    long overloaded() {
        return overloaded.get();
    }

    /** Stops the loops; for virtual threads, waits until they have ended. Idempotent. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        stoppers.forEach(Runnable::run);
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
