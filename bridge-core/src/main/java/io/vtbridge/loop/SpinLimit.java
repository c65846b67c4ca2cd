package io.vtbridge.loop;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many of a bridge's idle loops may be in their adaptive spin ({@link IdleSpin}) at once: half
 * of them, at least one. A loop that spins waiting for work keeps a core; with every loop spinning
 * on a machine with as many cores as loops, a thread that makes their work (a submitter) waits for
 * a core, and the spin slows the very work it waits for. Go's scheduler limits its spinning threads
 * the same way. A loop that finds the limit reached parks at once, as without the spin.
 *
 * <p><b>Threading:</b> every method may be called from any thread (a loop enters on its carrier and
 * may exit on the carrier a hand-off gave it).
 */
public final class SpinLimit {

    private final int max;
    private final AtomicInteger spinning = new AtomicInteger(); // loops in an adaptive spin now

    /** A limit for the spins of {@code loops} loops: {@code max(1, loops / 2)}. */
    public SpinLimit(int loops) {
        this.max = Math.max(1, loops / 2);
    }

    /** Whether the caller may begin a spin (then it must {@link #exit} once it ends). */
    public boolean tryEnter() {
        int n;
        do {
            n = spinning.get();
            if (n >= max) {
                return false;
            }
        } while (!spinning.compareAndSet(n, n + 1));
        return true;
    }

    /** A spin begun with a successful {@link #tryEnter} ended. */
    public void exit() {
        spinning.decrementAndGet();
    }

    /** The loops that may spin at once. */
    public int max() {
        return max;
    }
}
