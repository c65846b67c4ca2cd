package io.vtbridge.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by every configuration entry point (the bridge's builder, the loops, the
 * pools, the trace ring), so that a bad value is refused in one wording everywhere: an
 * {@link IllegalArgumentException} or {@link NullPointerException} naming the parameter and the
 * value it was given.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class Checks {

    private Checks() {
    }

    /** Returns {@code value} if it is at least 1. */
    public static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    /** Returns {@code value} if it is at least 0. */
    public static int notNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }

    /** Returns {@code value} if it lies in {@code min..max}, both included. */
    public static int inRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    /** Returns {@code value} if it is a power of two in {@code min..max}. */
    public static int powerOfTwo(String name, int value, int min, int max) {
        if (value < min || value > max || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(name + " must be a power of two in " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    /** Returns {@code value} if it is not null and longer than zero. */
    public static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    /** Returns {@code value} if it is not null and not negative. */
    public static Duration notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }

    /**
     * {@code value} in nanoseconds, saturated: a duration too long for a {@code long} of nanoseconds
     * (about 292 years) means "practically forever" and becomes {@link Long#MAX_VALUE}.
     */
    public static long saturatedNanos(Duration value) {
        try {
            return value.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
