package io.vtbridge.trace;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One bridge event in the compact form the trace ring stores: {@value #SIZE} bytes, little-endian.
 *
 * <pre>
 *   offset  size  field
 *   0       2     shard       unsigned, 0..65535
 *   2       1     kind        ordinal, 0..255 ({@link EventKind} for the bridge's events)
 *   3       1     phase       ordinal, 0..255 ({@link EventPhase} for the bridge's events)
 *   4       8     threadId    {@link Thread#threadId()} of the (virtual) thread
 *   12      8     nanoTime    {@link System#nanoTime()} when it happened
 * </pre>
 *
 * {@link TraceRing#appendEvent(int, long, int, int, long)} writes this form straight into the ring
 * (type {@link TraceRing#TYPE_EVENT}) without building an instance; the static {@code encode} and
 * {@code decode}/accessor methods are for code that handles the bytes itself. An instance is only a
 * convenience for tools ({@link TraceReader#event()}, {@link TraceDump}).
 *
 * <p><b>Threading:</b> immutable; the static methods touch only their arguments.
 *
 * @param shard    shard index, 0..65535
 * @param threadId id of the thread the event is about
 * @param kind     kind ordinal, 0..255
 * @param phase    phase ordinal, 0..255
 * @param nanoTime time stamp from {@link System#nanoTime()}
 */
public record TraceEvent(int shard, long threadId, int kind, int phase, long nanoTime) {

    /** Bytes of one encoded event. */
    public static final int SIZE = 20;

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final EventKind[] KINDS = EventKind.values();
    private static final EventPhase[] PHASES = EventPhase.values();

    /**
     * @throws IllegalArgumentException if shard, kind or phase is out of range
     */
    public TraceEvent {
        word(shard, kind, phase);
    }

    /** The event with the bridge's enums. */
    public static TraceEvent of(int shard, long threadId, EventKind kind, EventPhase phase, long nanoTime) {
        return new TraceEvent(shard, threadId, kind.ordinal(), phase.ordinal(), nanoTime);
    }

    /** Writes the event at {@code dst[off .. off + SIZE)}. */
    public static void encode(byte[] dst, int off, int shard, long threadId, int kind, int phase, long nanoTime) {
        int word = word(shard, kind, phase);
        java.util.Objects.checkFromIndexSize(off, SIZE, dst.length);
        INT_LE.set(dst, off, word);
        LONG_LE.set(dst, off + 4, threadId);
        LONG_LE.set(dst, off + 12, nanoTime);
    }

    /** Writes the event at {@code dst[index .. index + SIZE)} (absolute: the position is unchanged), little-endian whatever the buffer's order. */
    public static void encode(ByteBuffer dst, int index, int shard, long threadId, int kind, int phase, long nanoTime) {
        int word = word(shard, kind, phase);
        boolean le = dst.order() == ByteOrder.LITTLE_ENDIAN;
        dst.putInt(index, le ? word : Integer.reverseBytes(word));
        dst.putLong(index + 4, le ? threadId : Long.reverseBytes(threadId));
        dst.putLong(index + 12, le ? nanoTime : Long.reverseBytes(nanoTime));
    }

    /** Reads the event at {@code src[off .. off + SIZE)}. */
    public static TraceEvent decode(byte[] src, int off) {
        java.util.Objects.checkFromIndexSize(off, SIZE, src.length);
        int word = (int) INT_LE.get(src, off);
        return new TraceEvent(word & 0xFFFF, (long) LONG_LE.get(src, off + 4), (word >>> 16) & 0xFF, word >>> 24,
                (long) LONG_LE.get(src, off + 12));
    }

    /** Reads the event at {@code src[index .. index + SIZE)} (absolute), little-endian whatever the buffer's order. */
    public static TraceEvent decode(ByteBuffer src, int index) {
        return new TraceEvent(shard(src, index), threadId(src, index), kind(src, index), phase(src, index),
                nanoTime(src, index));
    }

    /** The shard of the event encoded at {@code index}; allocation-free. */
    public static int shard(ByteBuffer src, int index) {
        return word(src, index) & 0xFFFF;
    }

    /** The kind ordinal of the event encoded at {@code index}; allocation-free. */
    public static int kind(ByteBuffer src, int index) {
        return (word(src, index) >>> 16) & 0xFF;
    }

    /** The phase ordinal of the event encoded at {@code index}; allocation-free. */
    public static int phase(ByteBuffer src, int index) {
        return word(src, index) >>> 24;
    }

    /** The thread id of the event encoded at {@code index}; allocation-free. */
    public static long threadId(ByteBuffer src, int index) {
        return longLE(src, index + 4);
    }

    /** The time stamp of the event encoded at {@code index}; allocation-free. */
    public static long nanoTime(ByteBuffer src, int index) {
        return longLE(src, index + 12);
    }

    /** The {@link EventKind} name of {@link #kind()}, or {@code kind#N} for an ordinal it does not have. */
    public String kindName() {
        return kind < KINDS.length ? KINDS[kind].name() : "kind#" + kind;
    }

    /** The {@link EventPhase} name of {@link #phase()}, or {@code phase#N} for an ordinal it does not have. */
    public String phaseName() {
        return phase < PHASES.length ? PHASES[phase].name() : "phase#" + phase;
    }

    @Override
    public String toString() {
        return "shard=" + shard + " thread=" + threadId + " kind=" + kindName() + " phase=" + phaseName()
                + " nanoTime=" + nanoTime;
    }

    /** Shard, kind and phase packed as the first four bytes hold them; checks the ranges. */
    static int word(int shard, int kind, int phase) {
        if ((shard >>> 16 | kind >>> 8 | phase >>> 8) != 0) {
            throw new IllegalArgumentException("trace event out of range: shard " + shard + " (0..65535), kind "
                    + kind + " (0..255), phase " + phase + " (0..255)");
        }
        return shard | kind << 16 | phase << 24;
    }

    /** Writes a checked word and the two longs at {@code at} of a little-endian buffer. */
    static void put(ByteBuffer le, int at, int word, long threadId, long nanoTime) {
        le.putInt(at, word);
        le.putLong(at + 4, threadId);
        le.putLong(at + 12, nanoTime);
    }

    private static int word(ByteBuffer src, int index) {
        int v = src.getInt(index);
        return src.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    private static long longLE(ByteBuffer src, int index) {
        long v = src.getLong(index);
        return src.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }
}
