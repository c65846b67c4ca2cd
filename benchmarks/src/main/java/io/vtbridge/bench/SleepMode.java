package io.vtbridge.bench;

import io.vtbridge.Bridge;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The three ways {@link SleepLatencyHarness} puts a virtual thread to sleep, and who wakes it.
 */
enum SleepMode {

    /** {@link Bridge#sleep} in bridged code: a timer on the shard's own loop, fired and resumed by the loop. */
    BRIDGE_SLEEP("bridge-sleep", "Bridge.sleep in bridged code (loop timer, local resume)", true) {
        @Override
        void sleep(Duration duration) throws InterruptedException {
            Bridge.sleep(duration);
        }
    },

    /**
     * {@link Thread#sleep} in bridged code: on JDK 25 the timeout is a timer on the loop's own heap
     * (the shard's {@code ForkJoinPoolFacade}); on other JDKs the JDK arms it on its own timer
     * thread, whose wake-up reaches the bridge as {@code execute()} from that thread.
     */
    BRIDGE_THREAD_SLEEP("bridge-thread-sleep", "Thread.sleep in bridged code (JDK 25: a loop timer; else the JDK's timer thread)", true) {
        @Override
        void sleep(Duration duration) throws InterruptedException {
            Thread.sleep(duration);
        }
    },

    /** {@link Thread#sleep} on the JDK's default virtual threads: the baseline. */
    VIRTUAL_THREAD_SLEEP("virtual-thread-sleep", "Thread.sleep on default virtual threads (JDK baseline)", false) {
        @Override
        void sleep(Duration duration) throws InterruptedException {
            Thread.sleep(duration);
        }
    };

    final String id;
    final String description;
    final boolean bridged;

    SleepMode(String id, String description, boolean bridged) {
        this.id = id;
        this.description = description;
        this.bridged = bridged;
    }

    /** Sleeps the calling thread the way this mode does. */
    abstract void sleep(Duration duration) throws InterruptedException;

    static SleepMode byId(String id) {
        for (SleepMode mode : values()) {
            if (mode.id.equals(id)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + id + "'; expected one of " + ids());
    }

    static String ids() {
        return Arrays.stream(values()).map(m -> m.id).collect(Collectors.joining(","));
    }
}
