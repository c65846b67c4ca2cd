package io.vtbridge.samples.walredo;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The walredo sample's page and record format, shared by the child ({@link WalRedoChild}), which
 * applies records to the pages it keeps, and by the callers, which apply the same records to their
 * own copy to know the answer to expect.
 *
 * <p>A page is 8 KiB, held as {@value #PAGE_WORDS} 64-bit words; page {@code p} starts as
 * {@link #initialPage(int)}. A request is big-endian:
 * <pre>
 *   int   page id
 *   short record count
 *   record count times:  byte op (0 XOR, 1 ADD) | short first word | short word count | long operand
 * </pre>
 * Record {@code (op, first, count, operand)} changes words {@code first .. first+count-1}: word
 * {@code i} is XORed with, or has added to it, {@code operand + i * 0x9E3779B97F4A7C15}. A request
 * with no record reads the page unchanged. The answer is either the whole resulting page (8 KiB,
 * its words big-endian: what a WAL-redo process gives back) or its 8-byte {@link #checksum}.
 *
 * <p><b>Threading:</b> static methods without shared state; a page array belongs to its caller.
 */
public final class PageRedo {

    /** Bytes in a page. */
    public static final int PAGE_BYTES = 8192;

    /** 64-bit words in a page. */
    public static final int PAGE_WORDS = PAGE_BYTES / Long.BYTES;

    /** Bytes of one encoded record. */
    public static final int RECORD_BYTES = 1 + 2 + 2 + 8;

    /** Bytes of a request before its records: page id and record count. */
    public static final int HEADER_BYTES = 4 + 2;

    /** The most records one request carries. */
    public static final int MAX_RECORDS = Short.MAX_VALUE;

    /** Record op: XOR a range of words. */
    public static final byte XOR = 0;

    /** Record op: add to a range of words (two's complement, wrapping). */
    public static final byte ADD = 1;

    /** Bytes of a checksum answer. */
    public static final int CHECKSUM_BYTES = Long.BYTES;

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private PageRedo() {
    }

    /** What page {@code pageId} holds before any record: a mix of its id and each word's index. */
    public static long[] initialPage(int pageId) {
        long[] page = new long[PAGE_WORDS];
        for (int i = 0; i < PAGE_WORDS; i++) {
            page[i] = mix(((long) pageId << 32) | i);
        }
        return page;
    }

    /** The page id of {@code request}. */
    public static int pageId(byte[] request) {
        if (request.length < HEADER_BYTES) {
            throw new IllegalArgumentException("a request of " + request.length + " bytes is shorter than its "
                    + HEADER_BYTES + "-byte header");
        }
        return ByteBuffer.wrap(request).getInt(0);
    }

    /**
     * Applies the records of {@code request} to {@code page}, in order.
     *
     * @throws IllegalArgumentException if the request is malformed: a length that does not match its
     *                                  record count, an unknown op, a range outside the page
     */
    public static void apply(long[] page, byte[] request) {
        if (page.length != PAGE_WORDS) {
            throw new IllegalArgumentException("page of " + page.length + " words, not " + PAGE_WORDS);
        }
        ByteBuffer in = ByteBuffer.wrap(request);
        int count;
        try {
            in.getInt();
            count = in.getShort();
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("a request of " + request.length + " bytes is shorter than its "
                    + HEADER_BYTES + "-byte header");
        }
        if (count < 0 || request.length != HEADER_BYTES + count * RECORD_BYTES) {
            throw new IllegalArgumentException("a request of " + request.length + " bytes announces " + count
                    + " records (" + (HEADER_BYTES + (long) count * RECORD_BYTES) + " bytes)");
        }
        for (int r = 0; r < count; r++) {
            byte op = in.get();
            int first = Short.toUnsignedInt(in.getShort());
            int words = Short.toUnsignedInt(in.getShort());
            long operand = in.getLong();
            if (first + words > PAGE_WORDS) {
                throw new IllegalArgumentException("record " + r + " covers words " + first + ".." + (first + words - 1)
                        + ", beyond the page's " + PAGE_WORDS);
            }
            switch (op) {
                case XOR -> {
                    for (int i = first; i < first + words; i++) {
                        page[i] ^= operand + i * GOLDEN;
                    }
                }
                case ADD -> {
                    for (int i = first; i < first + words; i++) {
                        page[i] += operand + i * GOLDEN;
                    }
                }
                default -> throw new IllegalArgumentException("record " + r + " has unknown op " + op);
            }
        }
    }

    /**
     * A request for {@code pageId} with room for {@code count} records, its header written; fill the
     * records with {@link #putRecord} (a record left unwritten is an XOR of no word).
     *
     * @throws IllegalArgumentException if {@code count} is not in 0..{@value #MAX_RECORDS}
     */
    public static byte[] newRequest(int pageId, int count) {
        if (count < 0 || count > MAX_RECORDS) {
            throw new IllegalArgumentException("record count must be in 0.." + MAX_RECORDS + ": " + count);
        }
        byte[] request = new byte[HEADER_BYTES + count * RECORD_BYTES];
        ByteBuffer.wrap(request).putInt(pageId).putShort((short) count);
        return request;
    }

    /** Writes record number {@code index} of {@code request} (made by {@link #newRequest}). */
    public static void putRecord(byte[] request, int index, byte op, int first, int words, long operand) {
        if (op != XOR && op != ADD) {
            throw new IllegalArgumentException("unknown op " + op);
        }
        if (first < 0 || words < 0 || first + words > PAGE_WORDS) {
            throw new IllegalArgumentException("words " + first + " + " + words + " are not within a page of " + PAGE_WORDS);
        }
        ByteBuffer.wrap(request, HEADER_BYTES + index * RECORD_BYTES, RECORD_BYTES)
                .put(op).putShort((short) first).putShort((short) words).putLong(operand);
    }

    /** {@code page} as an 8 KiB answer, its words big-endian. */
    public static byte[] encodePage(long[] page) {
        byte[] bytes = new byte[PAGE_BYTES];
        for (int i = 0; i < PAGE_WORDS; i++) {
            WORDS.set(bytes, i * Long.BYTES, page[i]);
        }
        return bytes;
    }

    /** {@code checksum} as an 8-byte answer. */
    public static byte[] encodeChecksum(long checksum) {
        byte[] bytes = new byte[CHECKSUM_BYTES];
        WORDS.set(bytes, 0, checksum);
        return bytes;
    }

    /** A 64-bit checksum of {@code page}: every word, in order, through a multiply-xorshift chain. */
    public static long checksum(long[] page) {
        long h = 0x243F6A8885A308D3L;
        for (long word : page) {
            h = mix(h ^ word);
        }
        return h;
    }

    /**
     * The checksum an answer stands for: the {@link #checksum} of an 8 KiB page answer, or the value
     * of an 8-byte checksum answer.
     *
     * @throws IllegalArgumentException if the answer is neither length
     */
    public static long answerChecksum(byte[] answer) {
        if (answer.length == CHECKSUM_BYTES) {
            return (long) WORDS.get(answer, 0);
        }
        if (answer.length != PAGE_BYTES) {
            throw new IllegalArgumentException("an answer of " + answer.length + " bytes is neither a page ("
                    + PAGE_BYTES + ") nor a checksum (" + CHECKSUM_BYTES + ")");
        }
        long h = 0x243F6A8885A308D3L;
        for (int i = 0; i < PAGE_WORDS; i++) {
            h = mix(h ^ (long) WORDS.get(answer, i * Long.BYTES));
        }
        return h;
    }

    private static long mix(long x) {
        x *= GOLDEN;
        return x ^ (x >>> 31);
    }
}
