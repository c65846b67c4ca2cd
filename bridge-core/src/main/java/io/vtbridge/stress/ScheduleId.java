package io.vtbridge.stress;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A schedule's id: the strategy, its parameters and the schedule's seed, in one string that
 * {@link #parse} reads back: {@code random-<seed>} or {@code pct-d<depth>-k<steps>-<seed>}, the seed
 * in 16 hex digits. {@code k} is the step count PCT spread its change points over.
 */
record ScheduleId(Strategy strategy, int steps, long seed) {

    private static final Pattern RANDOM = Pattern.compile("random-([0-9a-f]{16})");
    private static final Pattern PCT = Pattern.compile("pct-d(\\d{1,2})-k(\\d{1,9})-([0-9a-f]{16})");

    /** The seed of schedule {@code index} of a run with base seed {@code base} (a 64-bit mix, so neighbours differ). */
    static long seedOf(long base, int index) {
        long z = base + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    static ScheduleId parse(String id) {
        if (id == null) {
            throw new NullPointerException("schedule id");
        }
        Matcher m = RANDOM.matcher(id);
        if (m.matches()) {
            return new ScheduleId(Strategy.random(), 0, Long.parseUnsignedLong(m.group(1), 16));
        }
        m = PCT.matcher(id);
        if (m.matches()) {
            int depth = Integer.parseInt(m.group(1));
            int steps = Integer.parseInt(m.group(2));
            if (depth >= 1 && depth <= Strategy.MAX_DEPTH && steps >= 1) {
                return new ScheduleId(Strategy.pct(depth), steps, Long.parseUnsignedLong(m.group(3), 16));
            }
        }
        throw new IllegalArgumentException("not a schedule id (random-<16 hex digits> or pct-d<depth>-k<steps>-<16 hex"
                + " digits>, as a schedule's report gives it): \"" + id + "\"");
    }

    @Override
    public String toString() {
        String hex = String.format("%016x", seed);
        return strategy.kind() == Strategy.Kind.RANDOM ? "random-" + hex
                : "pct-d" + strategy.depth() + "-k" + steps + "-" + hex;
    }
}
