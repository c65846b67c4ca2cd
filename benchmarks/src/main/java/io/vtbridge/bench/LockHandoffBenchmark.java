package io.vtbridge.bench;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A contended lock handed from thread to thread: {@value #THREADS} threads each take the lock
 * {@value #ROUNDS} times, and each holds it across a {@link Thread#yield()}, so that every unlock
 * finds the others queued and hands the lock on. The score is one acquisition (lock, yield, unlock,
 * hand-off), so lower is better.
 * <ul>
 *   <li>{@code bridge-same-shard}: {@link BridgeLock}, all threads on shard 0 of a 2-shard bridge:
 *       every hand-off resumes the next owner through the loop's local run queue;</li>
 *   <li>{@code bridge-affine-same-shard}: {@link BridgeLock#shardAffine()}, all threads on shard 0:
 *       the same hand-offs without a CAS on the lock's guard or word (the trial fails if the lock
 *       left the affine mode, so the row never measures the fall-back);</li>
 *   <li>{@code bridge-unkeyed-same-shard}: {@link BridgeLock}, the threads' tasks submitted without a
 *       key from a bridged thread of shard 0, so locality places them there too; with balance on
 *       (the default), an idle shard 1 may take a runnable one (the steal): this row shows what
 *       that costs a hand-off pattern that one shard serves well;</li>
 *   <li>{@code bridge-cross-shard}: {@link BridgeLock}, threads alternating between the 2 shards:
 *       hand-offs between shards go through the other loop's inbound queue;</li>
 *   <li>{@code reentrant-bridge-same-shard}: {@link ReentrantLock} in the same bridged threads (level
 *       2: the JDK parks, the shard resumes);</li>
 *   <li>{@code reentrant-virtual}: {@link ReentrantLock} on the JDK's default virtual threads;</li>
 *   <li>{@code reentrant-platform}: {@link ReentrantLock} on {@value #THREADS} platform threads.</li>
 * </ul>
 */
public class LockHandoffBenchmark extends BridgeBenchmark {

    static final int THREADS = 4;
    static final int ROUNDS = 2_000;

    @Param({"bridge-same-shard", "bridge-affine-same-shard", "bridge-unkeyed-same-shard", "bridge-cross-shard", "reentrant-bridge-same-shard", "reentrant-virtual", "reentrant-platform"})
    public String lock;

    private Bridge bridge;
    private ExecutorService executor;
    private Lock theLock;
    private long counter; // guarded by theLock

    @Setup(Level.Trial)
    public void setUp() {
        switch (lock) {
            case "bridge-same-shard", "bridge-unkeyed-same-shard", "bridge-cross-shard" -> {
                bridge = newBridge("lock-handoff", 2, 64);
                theLock = new BridgeLock();
            }
            case "bridge-affine-same-shard" -> {
                bridge = newBridge("lock-handoff", 2, 64);
                theLock = BridgeLock.shardAffine();
            }
            case "reentrant-bridge-same-shard" -> {
                bridge = newBridge("lock-handoff", 2, 64);
                theLock = new ReentrantLock();
            }
            case "reentrant-virtual" -> {
                executor = Executors.newVirtualThreadPerTaskExecutor();
                theLock = new ReentrantLock();
            }
            case "reentrant-platform" -> {
                executor = Executors.newFixedThreadPool(THREADS);
                theLock = new ReentrantLock();
            }
            default -> throw new IllegalArgumentException("unknown lock " + lock);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (bridge != null) {
            bridge.close();
        }
        if (executor != null) {
            executor.close();
        }
        if (theLock instanceof BridgeLock bridgeLock && lock.equals("bridge-affine-same-shard") && !bridgeLock.isShardAffine()) {
            throw new IllegalStateException("the affine lock fell back to the shared mode: this row measured the wrong thing");
        }
    }

    @Benchmark
    @OperationsPerInvocation(THREADS * ROUNDS)
    public long handoff() {
        if (lock.equals("bridge-unkeyed-same-shard")) {
            return bridge.submit(keyFor(0), () -> { // a bridged thread of shard 0 submits them: locality
                CompletableFuture<?>[] unkeyed = new CompletableFuture<?>[THREADS];
                for (int t = 0; t < THREADS; t++) {
                    unkeyed[t] = bridge.submit(this::work);
                }
                Bridge.await(CompletableFuture.allOf(unkeyed));
                return counter;
            }).join();
        }
        CompletableFuture<?>[] workers = new CompletableFuture<?>[THREADS];
        for (int t = 0; t < THREADS; t++) {
            if (bridge != null) {
                int shard = lock.equals("bridge-cross-shard") ? t % 2 : 0; // the affine row: all on shard 0
                workers[t] = bridge.submit(keyFor(shard), this::work);
            } else {
                workers[t] = CompletableFuture.supplyAsync(this::work, executor);
            }
        }
        CompletableFuture.allOf(workers).join();
        return counter;
    }

    private Object keyFor(int shard) {
        for (int k = 0; ; k++) {
            if (bridge.shardFor(k).index() == shard) {
                return k;
            }
        }
    }

    private Long work() {
        Lock l = theLock;
        for (int r = 0; r < ROUNDS; r++) {
            l.lock();
            try {
                counter++;
                Thread.yield(); // hold it across a suspension: the others queue, the unlock hands off
            } finally {
                l.unlock();
            }
        }
        return counter;
    }
}
