package io.vtbridge;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Test helper: spins until a condition holds, failing after 10 s (a sanity bound, not a timing assertion). */
final class Await {

    private Await() {
    }

    static void until(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.onSpinWait();
        }
    }
}
