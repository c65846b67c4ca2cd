package io.vtbridge.samples.load;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * An open-loop load generator: requests are sent on a fixed schedule, whatever the server does, and
 * each one's latency is measured from when it was <em>due</em>, not from when it was sent, so a
 * server (or a sender) that falls behind cannot hide its stall (no coordinated omission). Latencies
 * go into an HdrHistogram, in microseconds.
 *
 * <pre>{@code
 * OpenLoop.Result r = OpenLoop.run("ping", 1_000, Duration.ofSeconds(10), 10_000,
 *         () -> client.sendAsync(ping, BodyHandlers.discarding()));
 * System.out.println(r);   // ping: 10,000 sent, 10,000 ok, p50 / p99 / max ...
 * }</pre>
 *
 * A request that cannot be sent because {@code maxInFlight} are already outstanding is counted as
 * {@code refused} (and not sent): the bound keeps a stalled server from growing the generator's
 * memory without limit. Requests still outstanding when the run ends get a grace period to finish,
 * then count as {@code unfinished}.
 *
 * <p><b>Threading:</b> {@link #run} sends from the calling thread and returns when the run and the
 * grace period are over; completions are recorded from whatever threads complete the stages.
 */
public final class OpenLoop {

    /** The histograms' range: 1 µs to 1 hour, 3 significant digits. */
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private OpenLoop() {
    }

    /**
     * What a run measured.
     *
     * @param name       what was sent, for the printout
     * @param latency    from the due time to completion, microseconds, successful requests only; a
     *                   snapshot taken at the end of the grace period (later completions are not in it)
     * @param sent       requests sent
     * @param ok         completed normally
     * @param failed     completed exceptionally
     * @param refused    due but not sent: {@code maxInFlight} were outstanding
     * @param unfinished still outstanding after the grace period
     * @param seconds    the length of the sending phase
     */
    public record Result(String name, Histogram latency, long sent, long ok, long failed, long refused,
                         long unfinished, double seconds) {

        /** Latency at {@code percentile} (0–100), milliseconds. */
        public double millis(double percentile) {
            return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1000.0;
        }

        /** The largest latency, milliseconds. */
        public double maxMillis() {
            return latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1000.0;
        }

        /** Requests completed normally per second of the sending phase. */
        public double okPerSecond() {
            return ok / seconds;
        }

        @Override
        public String toString() {
            return String.format("%s: %,d sent, %,d ok, %,d failed, %,d refused, %,d unfinished; "
                            + "p50 %.3f / p99 %.3f / p99.9 %.3f / max %.3f ms",
                    name, sent, ok, failed, refused, unfinished, millis(50), millis(99), millis(99.9), maxMillis());
        }
    }

    /**
     * Sends {@code send.get()} {@code perSecond} times a second for {@code duration}, then waits up to
     * one second (or {@code duration}, if shorter) for the outstanding ones.
     *
     * @throws IllegalArgumentException if {@code perSecond}, {@code duration} or {@code maxInFlight}
     *                                  is not positive
     */
    public static Result run(String name, double perSecond, Duration duration, int maxInFlight,
                             Supplier<? extends CompletionStage<?>> send) throws InterruptedException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(send, "send");
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("perSecond must be positive: " + perSecond);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + duration);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
        }
        Histogram latency = new ConcurrentHistogram(HIGHEST_MICROS, 3);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long sent = 0;
        long refused = 0;
        long interval = Math.max(1, Math.round(1e9 / perSecond));
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        for (long due = start; due < end; due += interval) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (inFlight.get() >= maxInFlight) {
                refused++;
                continue;
            }
            inFlight.incrementAndGet();
            sent++;
            long dueAt = due;
            CompletionStage<?> stage;
            try {
                stage = send.get();
            } catch (RuntimeException e) {
                inFlight.decrementAndGet();
                failed.incrementAndGet();
                continue;
            }
            stage.whenComplete((value, failure) -> {
                if (failure == null) {
                    latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (System.nanoTime() - dueAt) / 1000)));
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                inFlight.decrementAndGet();
            });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long graceEnd = System.nanoTime() + Math.min(TimeUnit.SECONDS.toNanos(1), duration.toNanos());
        while (inFlight.get() > 0 && System.nanoTime() < graceEnd) {
            Thread.sleep(1);                                  // polling a counter: nothing to wait on
        }
        // A copy: requests still outstanding keep recording into the live histogram after the return.
        return new Result(name, latency.copy(), sent, ok.get(), failed.get(), refused, inFlight.get(), seconds);
    }
}
