package io.vtbridge.samples.storage;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The values the sample stores: each one says which key and which write it belongs to, so that a
 * read can check it got its key's value and a reopened store can be checked byte for byte.
 * Layout: the key (8 bytes), the version (8 bytes; 0 for the seed), then bytes drawn from a
 * generator seeded with both (incompressible, as real payloads are).
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
final class Values {

    /** The key and the version. */
    static final int HEADER_BYTES = 16;

    private Values() {
    }

    /** The value of {@code key} at {@code version}, {@code size} bytes. */
    static byte[] of(long key, long version, int size) {
        byte[] value = new byte[size];
        ByteBuffer buffer = ByteBuffer.wrap(value).putLong(key).putLong(version);
        SplittableRandom random = new SplittableRandom(key * 0x9E3779B97F4A7C15L ^ version);
        while (buffer.remaining() >= Long.BYTES) {
            buffer.putLong(random.nextLong());
        }
        while (buffer.hasRemaining()) {
            buffer.put((byte) random.nextInt());
        }
        return value;
    }

    /** The key a value says it belongs to. */
    static long key(byte[] value) {
        return ByteBuffer.wrap(value).getLong(0);
    }

    /** The version a value says it is. */
    static long version(byte[] value) {
        return ByteBuffer.wrap(value).getLong(8);
    }

    /** Whether {@code value} is, byte for byte, what {@link #of} makes for its key and version. */
    static boolean intact(byte[] value, int size) {
        return value.length == size && Arrays.equals(value, of(key(value), version(value), size));
    }
}
