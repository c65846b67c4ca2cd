package io.vtbridge.trace;

import java.nio.ByteBuffer;

/**
 * The byte layout shared by {@link TraceRing} (writes it) and {@link TraceReader} (reads it), as
 * docs/TRACE.md describes it. All multi-byte fields are little-endian.
 *
 * <pre>
 * file/buffer header, HEADER bytes:
 *   0  magic "VTBTRACE"   8  version u32   12 header size u32   16 capacity u32   20 max record u32
 *   24 oldest u64         32 tail u64      40 lost u64          48 appended u64   56 reserved
 * frame, at header + (position mod capacity), 8-byte aligned, never across the end of the ring:
 *   0  length u32 (payload bytes; PADDING: the whole frame)   4 tag u8   5 type u8
 *   6  round u16 (first frame of a round: the round's bytes / 8; other frames: 0)
 *   8  sequence u64       16 checksum u32   20 payload ...   (PADDING frames stop after byte 7)
 * </pre>
 *
 * <p>Stateless; any thread.
 */
final class TraceLayout {

    private TraceLayout() {
    }

    static final long MAGIC = 0x4543415254425456L; // "VTBTRACE" read as a little-endian long
    static final int VERSION = 1;
    static final int HEADER = 64;

    static final int H_MAGIC = 0;
    static final int H_VERSION = 8;
    static final int H_HEADER_SIZE = 12;
    static final int H_CAPACITY = 16;
    static final int H_MAX_RECORD = 20;
    static final int H_OLDEST = 24;
    static final int H_TAIL = 32;
    static final int H_LOST = 40;
    static final int H_APPENDED = 48;

    static final int F_LENGTH = 0;
    static final int F_TAG = 4;
    static final int F_TYPE = 5;
    static final int F_ROUND = 6;
    static final int F_SEQUENCE = 8;
    static final int F_CHECKSUM = 16;
    static final int F_PAYLOAD = 20;

    /** Tag of a frame never written (a fresh file is zeros). */
    static final byte TAG_EMPTY = 0;
    /** Tag of the first frame of a write in progress: the bytes after it are not yet valid. */
    static final byte TAG_BUSY = (byte) 0xFF;
    /** Tag of a frame whose bytes are complete. */
    static final byte TAG_COMMITTED = (byte) 0xA5;

    static final int TYPE_DATA = 1;
    static final int TYPE_EVENT = 2;
    static final int TYPE_PADDING = 0x7F;

    /** The most bytes one round may span: what the u16 round field can say, in 8-byte units. */
    static final int ROUND_MAX = 0xFFFF * 8;
    static final int MIN_CAPACITY = 128;
    static final int MAX_CAPACITY = 1 << 30;

    /** Bytes a frame with {@code length} payload bytes takes, 8-aligned. */
    static int frameSize(int length) {
        return (F_PAYLOAD + length + 7) & ~7;
    }

    /** The most bytes one round of a ring of {@code capacity} bytes may span. */
    static int roundLimit(int capacity) {
        return Math.min(capacity, ROUND_MAX);
    }

    /**
     * The largest payload whose frame fits in half a round, so that a frame plus the padding before
     * it (always shorter than the frame) fits in one round.
     */
    static int largestRecord(int capacity) {
        return (roundLimit(capacity) / 2 & ~7) - F_PAYLOAD;
    }

    /** The first 8 bytes of a frame: length, tag, type, and the round's bytes if it opens one (else 0). */
    static long word(int length, byte tag, int type, long roundBytes) {
        return (length & 0xFFFF_FFFFL) | (tag & 0xFFL) << 32 | (long) type << 40 | (roundBytes >>> 3) << 48;
    }

    static String tagName(byte tag) {
        return switch (tag) {
            case TAG_EMPTY -> "EMPTY";
            case TAG_BUSY -> "BUSY";
            case TAG_COMMITTED -> "COMMITTED";
            default -> String.format("0x%02x", tag & 0xFF);
        };
    }

    static String typeName(int type) {
        return switch (type) {
            case TYPE_DATA -> "DATA";
            case TYPE_EVENT -> "EVENT";
            case TYPE_PADDING -> "PADDING";
            default -> String.format("0x%02x", type);
        };
    }

    /**
     * The checksum of a record: its length, type, sequence and payload
     * ({@code buf[at .. at + length)}, a little-endian buffer), folded eight bytes at a time through a
     * multiply-xorshift mix. Not the commit tag, which changes after the checksum is written.
     */
    static int checksum(ByteBuffer buf, int at, int length, long sequence, int type) {
        long h = mix(sequence ^ ((long) length << 8 | type) * 0xC2B2AE3D27D4EB4FL);
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            h = mix(h ^ buf.getLong(at + i));
        }
        long last = 0;
        for (int shift = 0; i < length; i++, shift += 8) {
            last |= (buf.get(at + i) & 0xFFL) << shift;
        }
        h = mix(h ^ last ^ length);
        return (int) (h ^ (h >>> 32));
    }

    /**
     * {@link #checksum} of a {@link TraceEvent} record, computed from its fields instead of from the
     * bytes {@link TraceEvent#put} wrote: the same value, without reading the ring back. The payload's
     * 20 little-endian bytes are word (4), thread id (8), nano time (8), so its two full 8-byte words
     * and its 4-byte tail are the expressions below.
     */
    static int eventChecksum(int word, long threadId, long nanoTime, long sequence) {
        long h = mix(sequence ^ ((long) TraceEvent.SIZE << 8 | TYPE_EVENT) * 0xC2B2AE3D27D4EB4FL);
        h = mix(h ^ ((word & 0xFFFF_FFFFL) | threadId << 32));
        h = mix(h ^ ((threadId >>> 32) | nanoTime << 32));
        h = mix(h ^ (nanoTime >>> 32) ^ TraceEvent.SIZE);
        return (int) (h ^ (h >>> 32));
    }

    private static long mix(long x) {
        x *= 0x9E3779B97F4A7C15L;
        return x ^ (x >>> 29);
    }
}
