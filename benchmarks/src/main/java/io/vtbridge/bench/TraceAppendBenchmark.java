package io.vtbridge.bench;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.trace.TraceRing;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Append throughput of the trace ring against the same ring guarded by one lock, with 1, 2, 4 and
 * 8 writer threads in one run. Every append is one 20-byte event record
 * (shard, thread id, kind, phase, nanoTime), into a 1 MiB ring nobody reads (so the oldest records
 * are overwritten, as in a process whose trace nobody is looking at).
 * <ul>
 *   <li>{@code trace}: {@link TraceRing#onHeap}: a tail CAS with a lock bit, a busy tag, and a
 *       combining queue for contended writers, after HAProxy's ring v2 design notes;</li>
 *   <li>{@code reentrant-lock}: a plain byte ring (length + payload, the same 20 bytes), every append
 *       under one {@link ReentrantLock};</li>
 *   <li>{@code synchronized}: the same plain ring under {@code synchronized}.</li>
 * </ul>
 * The baselines write less per record (no sequence, no tag byte, no header update), so they are
 * the optimistic side of the comparison. Score: appends per microsecond over all writer threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class TraceAppendBenchmark extends BridgeBenchmark {

    static final int CAPACITY = 1 << 20;

    @Param({"trace", "reentrant-lock", "synchronized"})
    public String ring;

    private TraceRing trace;
    private PlainRing plain;
    private final ReentrantLock lock = new ReentrantLock();

    @Setup(Level.Trial)
    public void setUp() {
        switch (ring) {
            case "trace" -> trace = TraceRing.onHeap(CAPACITY);
            case "reentrant-lock", "synchronized" -> plain = new PlainRing(CAPACITY);
            default -> throw new IllegalArgumentException("unknown ring " + ring);
        }
    }

    private void append() {
        long now = System.nanoTime();
        long tid = Thread.currentThread().threadId();
        switch (ring) {
            case "trace" -> trace.appendEvent(0, tid, EventKind.LOCK, EventPhase.REQUEST, now);
            case "reentrant-lock" -> {
                lock.lock();
                try {
                    plain.appendEvent(0, tid, EventKind.LOCK.ordinal(), EventPhase.REQUEST.ordinal(), now);
                } finally {
                    lock.unlock();
                }
            }
            default -> {
                synchronized (plain) {
                    plain.appendEvent(0, tid, EventKind.LOCK.ordinal(), EventPhase.REQUEST.ordinal(), now);
                }
            }
        }
    }

    @Benchmark
    @Threads(1)
    public void writers1() {
        append();
    }

    @Benchmark
    @Threads(2)
    public void writers2() {
        append();
    }

    @Benchmark
    @Threads(4)
    public void writers4() {
        append();
    }

    @Benchmark
    @Threads(8)
    public void writers8() {
        append();
    }

    /** A byte ring of [length][payload] records: the baseline's whole write path. Not thread-safe. */
    static final class PlainRing {
        private final byte[] buffer;
        private final int mask;
        private long tail;

        PlainRing(int capacity) {
            this.buffer = new byte[capacity];
            this.mask = capacity - 1;
        }

        void appendEvent(int shard, long threadId, int kind, int phase, long nanoTime) {
            putInt(20);
            putInt(shard);
            putLong(threadId);
            putInt((kind << 16) | phase);
            putLong(nanoTime);
        }

        private void putInt(int v) {
            for (int i = 0; i < 4; i++) {
                buffer[(int) (tail++ & mask)] = (byte) (v >>> (i * 8));
            }
        }

        private void putLong(long v) {
            for (int i = 0; i < 8; i++) {
                buffer[(int) (tail++ & mask)] = (byte) (v >>> (i * 8));
            }
        }
    }
}
