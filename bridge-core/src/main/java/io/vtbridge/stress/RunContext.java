package io.vtbridge.stress;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The {@link StressContext} of one schedule: every method checks that it is called from a thread of
 * that schedule (not of an earlier one, nor from outside the run), then asks the carrier.
 *
 * <p><b>Threading:</b> the run's threads only (each check throws elsewhere).
 */
final class RunContext implements StressContext {

    private static final Instant CLOCK_ORIGIN = Instant.parse("2000-01-01T00:00:00Z");

    private final StressCarrier carrier;
    private final int schedule;
    private int tasks;                       // the executor's tasks so far: their names
    private final Executor executor = task -> {
        Objects.requireNonNull(task, "task");
        fork("task-" + ++tasks, task::run);
    };

    RunContext(StressCarrier carrier) {
        this.carrier = carrier;
        this.schedule = carrier.generation();
    }

    private void check() {
        carrier.checkCaller(); // throws off the run's threads
        if (schedule != carrier.generation()) {
            throw new IllegalStateException("a StressContext of an earlier schedule (" + schedule
                    + "), used in schedule " + carrier.generation() + ": each schedule has its own");
        }
    }

    @Override
    public Thread fork(String name, Task task) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        check();
        return carrier.fork(name, task);
    }

    @Override
    public Executor executor() {
        check();
        return executor;
    }

    @Override
    public void point() {
        check();
        carrier.schedulingPoint("POINT", null);
    }

    @Override
    public long nanoTime() {
        check();
        return carrier.now();
    }

    @Override
    public Clock clock() {
        check();
        return new VirtualClock(carrier, ZoneOffset.UTC);
    }

    @Override
    public String scheduleId() {
        check();
        return carrier.scheduleId();
    }

    /** The run's virtual clock as a {@link Clock}. */
    private static final class VirtualClock extends Clock {
        private final StressCarrier carrier;
        private final ZoneId zone;

        VirtualClock(StressCarrier carrier, ZoneId zone) {
            this.carrier = carrier;
            this.zone = zone;
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return new VirtualClock(carrier, zone);
        }

        @Override
        public Instant instant() {
            return CLOCK_ORIGIN.plusNanos(carrier.now());
        }

        @Override
        public long millis() {
            return CLOCK_ORIGIN.toEpochMilli() + TimeUnit.NANOSECONDS.toMillis(carrier.now());
        }
    }
}
