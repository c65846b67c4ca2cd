package io.vtbridge.samples.storage;

import io.vtbridge.samples.load.Cpu;
import io.vtbridge.samples.load.OpenLoop;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One phase of one mode's load, on one {@link Target}: {@code callers} asynchronous callers driven
 * by one platform thread, the <em>caller thread</em> (the event loop of an asynchronous server):
 * it submits each caller's operation and gets the completion back, then submits that caller's next
 * one, so each caller has one operation outstanding and no thread waits for it. An operation is a
 * read of a random key, a write of a random key, or, when one is due, a durable checkpoint.
 * A measured phase also sends a ping at a fixed rate ({@link OpenLoop}: latency from the due time)
 * for exactly its length, and counts the operations that complete inside it.
 *
 * <p>Submissions and completions always come from outside the target's threads (the caller thread,
 * the pinging thread), as from a server's network threads: no mode is favoured by work it spawns
 * from its own threads.
 *
 * <p><b>Threading:</b> {@link #run} on one thread (it sends the pings and waits); every caller step
 * runs on the caller thread; the operations on the target's threads. They share the atomic
 * counters below.
 */
final class Workload {

    /** The ping: a trivial task. */
    static final Callable<Object> PING = () -> Boolean.TRUE;

    /** Pings outstanding at once before the generator refuses to send more (a stalled loop's bound). */
    static final int PING_MAX_IN_FLIGHT = 1000;

    /** {@link #nextCheckpoint} while a checkpoint runs. */
    private static final long CHECKPOINT_RUNNING = Long.MIN_VALUE;

    /** What the callers ask the store for. */
    enum Op { GET, PUT, CHECKPOINT }

    /**
     * What one phase measured.
     *
     * @param submitted   operations submitted in the phase
     * @param completed   of those, completed normally
     * @param failed      of those, completed exceptionally or refused
     * @param gets        reads completed normally
     * @param puts        writes completed normally
     * @param checkpoints checkpoints completed normally
     * @param inWindow    operations completed normally inside the measured window
     * @param seconds     the window's length
     * @param ping        the ping's figures ({@code null} in a warm-up)
     * @param cpu         share of all processors the JVM used during the window, 0–1
     * @param firstError  the first failure, or {@code null}
     */
    record Measured(long submitted, long completed, long failed, long gets, long puts, long checkpoints,
                    long inWindow, double seconds, OpenLoop.Result ping, double cpu, Throwable firstError) {
    }

    private final Engine engine;
    private final Target target;
    private final StorageOptions options;
    private final long checkpointNanos;
    private final AtomicLong nextCheckpoint;                        // nanoTime the next one is due, or CHECKPOINT_RUNNING
    private final LongAdder submitted = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder[] byOp = {new LongAdder(), new LongAdder(), new LongAdder()};
    private final LongAdder inWindow = new LongAdder();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final CountDownLatch callersDone;
    private volatile boolean stopping;                              // set by run(); read by every caller step
    private volatile long windowStart;                              // nanoTime; written by run() before it sets windowOpen
    private volatile long windowEnd;                                // nanoTime; written by run() before it sets windowOpen
    private volatile boolean windowOpen;                            // written by run(); read by every completion

    /**
     * @param nextCheckpoint when the first checkpoint is due ({@link System#nanoTime()}); shared by the
     *                       phases of one mode so that the interval runs on across them
     */
    Workload(Engine engine, Target target, StorageOptions options, AtomicLong nextCheckpoint) {
        this.engine = engine;
        this.target = target;
        this.options = options;
        this.checkpointNanos = options.checkpoint().toNanos();
        this.nextCheckpoint = nextCheckpoint;
        this.callersDone = new CountDownLatch(options.callers());
    }

    /**
     * Runs the callers for {@code length}, with the ping and the window if {@code measured}, then
     * stops them and waits until every operation has completed and the caller thread has ended.
     */
    Measured run(Duration length, boolean measured) throws InterruptedException {
        ExecutorService callerThread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("storage-callers").factory());
        try {
            callerThread.execute(() -> {
                for (int i = 0; i < options.callers(); i++) {
                    step(callerThread);
                }
            });
            OpenLoop.Result ping = null;
            double cpu = Double.NaN;
            if (measured) {
                long cpuBefore = Cpu.processNanos();
                windowStart = System.nanoTime();
                windowEnd = windowStart + length.toNanos();
                windowOpen = true;
                ping = OpenLoop.run("ping", options.pingPerSecond(), length, PING_MAX_IN_FLIGHT, target::ping);
                cpu = Cpu.share(cpuBefore, Cpu.processNanos(), System.nanoTime() - windowStart);
            } else {
                TimeUnit.NANOSECONDS.sleep(length.toNanos());     // a warm-up is a length of time, not a wait for an event
            }
            stopping = true;
            if (!callersDone.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(callersDone.getCount() + " callers still had an operation outstanding"
                        + " 60 s after the phase ended");
            }
            return new Measured(submitted.sum(), completed.sum(), failed.sum(), byOp[0].sum(), byOp[1].sum(),
                    byOp[2].sum(), inWindow.sum(), length.toNanos() / 1e9, ping, cpu, firstError.get());
        } finally {
            callerThread.shutdown();
            if (!callerThread.awaitTermination(10, TimeUnit.SECONDS)) {
                callerThread.shutdownNow();
            }
        }
    }

    /** One caller's next operation, or its end. On the caller thread. */
    private void step(ExecutorService callerThread) {
        if (stopping) {
            callersDone.countDown();
            return;
        }
        Op op = nextOp();
        long key = ThreadLocalRandom.current().nextInt(engine.keys());
        submitted.increment();
        target.submit(() -> perform(op, key)).whenCompleteAsync((value, failure) -> {
            if (account(op, failure)) {
                step(callerThread);
            } else {
                callersDone.countDown();
            }
        }, callerThread);
    }

    private Object perform(Op op, long key) {
        switch (op) {
            case GET -> engine.get(key);
            case PUT -> engine.put(key);
            case CHECKPOINT -> engine.checkpoint();
        }
        return op;
    }

    /**
     * A checkpoint when one is due; else a read or a write. Checkpoints never overlap: the next one
     * is due an interval after the last one ended ({@link #account}), as a database's checkpointer works.
     */
    private Op nextOp() {
        long due = nextCheckpoint.get();
        if (due != CHECKPOINT_RUNNING && System.nanoTime() - due >= 0
                && nextCheckpoint.compareAndSet(due, CHECKPOINT_RUNNING)) {
            return Op.CHECKPOINT;
        }
        return ThreadLocalRandom.current().nextInt(100) < options.readPercent() ? Op.GET : Op.PUT;
    }

    /** Counts a completion; returns whether the caller goes on (it stops at its first failure). */
    private boolean account(Op op, Throwable failure) {
        if (op == Op.CHECKPOINT) {
            nextCheckpoint.set(System.nanoTime() + checkpointNanos);
        }
        if (failure != null) {
            failed.increment();
            firstError.compareAndSet(null, failure);
            return false;
        }
        completed.increment();
        byOp[op.ordinal()].increment();
        if (windowOpen) {
            long now = System.nanoTime();
            if (now - windowStart >= 0 && now - windowEnd < 0) {
                inWindow.increment();
            }
        }
        return true;
    }
}
