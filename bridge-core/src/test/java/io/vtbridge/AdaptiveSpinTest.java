package io.vtbridge;

import io.vtbridge.monitor.ShardStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idle loop's adaptive spin: a loop whose last sleep was short goes on spinning for a while
 * before it parks again, so a caller that submits, waits for the result and submits again finds it
 * awake and need not wake it. Counted, not timed: the unparks other threads issued to the loop.
 */
@Timeout(120)
class AdaptiveSpinTest {

    private static final int ROUND_TRIPS = 5_000;

    /**
     * Unparks of shard 0 over {@code n} round trips from this (platform) thread, after as many to warm
     * up (the spin pays once the caller's path is compiled and it comes back within microseconds). Two
     * shards: placement puts every submission on the less loaded, shard 0, while shard 1 sleeps.
     */
    private static long unparksOverRoundTrips(Bridge bridge, int n) {
        for (int i = 0; i < n; i++) {
            bridge.submit(() -> 1).join();
        }
        long before = bridge.shard(0).stats().unparks();
        for (int i = 0; i < n; i++) {
            bridge.submit(() -> 1).join();
        }
        ShardStats after = bridge.shard(0).stats();
        return after.unparks() - before;
    }

    @Test
    void aCallerThatComesBackQuicklyFindsTheLoopAwake() {
        long spinning;
        try (Bridge bridge = Bridge.builder().shards(2).build()) {
            spinning = unparksOverRoundTrips(bridge, ROUND_TRIPS);
        }
        long parking;
        try (Bridge bridge = Bridge.builder().shards(2).idleSpins(0).build()) { // no spin at all: parks as soon as it runs dry
            parking = unparksOverRoundTrips(bridge, ROUND_TRIPS);
        }
        assertThat(parking).as("without spinning, many submissions wake the parked loop")
                .isGreaterThan(ROUND_TRIPS / 4);
        // Generous: on a busy machine some callers come back later than the spin lasts.
        assertThat(spinning).as("unparks with the adaptive spin, against %d without", parking)
                .isLessThan(parking / 2);
    }
}
