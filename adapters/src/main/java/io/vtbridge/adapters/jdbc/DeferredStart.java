package io.vtbridge.adapters.jdbc;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * When a stream of an {@link AsyncJdbc} in {@link io.vtbridge.Mode#SYNC} submits its producer: not
 * at subscription, but at the first request or signal (a cancel, the owner's close, an invalid
 * request). A producer submitted at subscription would wait for its first request on a platform
 * thread of the bridge's blocking pool, so idle subscriptions would hold pool threads without bound
 * (the permit, and {@code acquireTimeout}, come only after the first request) and starve every
 * other call of that pool.
 *
 * <p><b>The hand-off.</b> The subscribing thread {@link #arm arms} once {@code onSubscribe} has
 * returned: it stores {@code armed} (volatile), then reads the demand and the signal. A request or a
 * signal first updates the demand (an atomic update), then reads {@code armed} ({@link #afterDemand}).
 * All four are sequentially consistent, so at least one side sees the other's write, and whoever
 * sees both wins one CAS on {@code started} and submits the producer: exactly one start, never none,
 * and none while {@code onSubscribe} runs (rule 1.3: signals are serial; the producer's
 * {@code onNext} must not race {@code onSubscribe}). jcstress: {@code DeferredStartTest}.
 *
 * <p><b>Threading:</b> {@link #arm} once, from the subscribing thread; {@link #afterDemand} from any
 * thread, after it updated the {@link Demand}.
 */
final class DeferredStart {

    private final Demand demand;
    private final AtomicBoolean started = new AtomicBoolean(); // false -> true once, by the thread that must submit the producer
    private volatile boolean armed;                            // false -> true once, by the subscribing thread after onSubscribe returned

    DeferredStart(Demand demand) {
        this.demand = demand;
    }

    /**
     * The subscribing thread, after {@code onSubscribe} returned: from now on a request or a signal
     * starts the producer.
     *
     * @return whether the caller must submit the producer now (demand or a signal came first, and
     *         nobody else started it)
     */
    boolean arm() {
        armed = true; // before the loads below: see the class comment
        boolean pending = demand.requested() > 0 || demand.signal() != Demand.NONE;
        return pending && started.compareAndSet(false, true);
    }

    /**
     * After a request or a signal updated the demand.
     *
     * @return whether the caller must submit the producer now (armed, and nobody started it yet)
     */
    boolean afterDemand() {
        return armed && !started.get() && started.compareAndSet(false, true); // the plain get: most requests come after the start
    }
}
