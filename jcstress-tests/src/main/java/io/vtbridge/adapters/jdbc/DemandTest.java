package io.vtbridge.adapters.jdbc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JI_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link Demand}: a stream's producer going to wait for demand, racing the subscriber's
 * {@code request(n)} or {@code cancel()}. The producer stores itself as the waiter, then loads the
 * signal and the demand; the subscriber updates the demand (or the signal), then loads the waiter
 * and unparks it. In this package (split from the adapters') for the package-private class.
 *
 * <p>Decision form ({@code prepareToWait}: nobody parks): r1 is what the producer saw (the demand,
 * {@code -1} for a signal, {@code 0}: it would park), r2 is 1 if the subscriber saw the waiter and
 * unparked it. The unpark leaves a permit on a jcstress worker that never parks on it: harmless
 * (its workers wait by spinning; see {@code WakeupGateDecisionTest}). The termination form parks
 * for real.
 */
public final class DemandTest {

    private DemandTest() {
    }

    @JCStressTest
    @Description("request(1) vs prepareToWait: never 'producer would park' and 'nobody unparked it'.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The request ran before the producer published itself: the producer sees the demand; no unpark needed.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Each saw the other: the producer sees the demand and also gets a spare unpark.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The producer looked before the demand was added (would park); the requester sees it waiting and unparks it.")
    @Outcome(expect = FORBIDDEN, desc = "Lost wake-up: the producer would park with demand pending and nobody unparks it.")
    @State
    public static class RequestVersusWait {
        final Demand demand = new Demand();

        @Actor
        public void producer(JI_Result r) {
            r.r1 = demand.prepareToWait();
        }

        @Actor
        public void subscriber(JI_Result r) {
            r.r2 = demand.request(1) ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("cancel() vs prepareToWait: a producer that would park on a cancelled stream is unparked.")
    @Outcome(id = "-1, 0", expect = ACCEPTABLE, desc = "The cancel came first: the producer sees the signal.")
    @Outcome(id = "-1, 1", expect = ACCEPTABLE, desc = "Each saw the other: the producer sees the signal and also gets a spare unpark.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The producer looked before the cancel (would park); the canceller sees it waiting and unparks it.")
    @Outcome(expect = FORBIDDEN, desc = "Lost wake-up: the producer would park on a cancelled stream and nobody unparks it (its connection held for good).")
    @State
    public static class CancelVersusWait {
        final Demand demand = new Demand();

        @Actor
        public void producer(JI_Result r) {
            r.r1 = demand.prepareToWait();
        }

        @Actor
        public void subscriber(JI_Result r) {
            r.r2 = demand.cancel() ? 1 : 0;
        }
    }

    /**
     * The producer parks for real in {@link Demand#await()}, which returns only for demand or a
     * signal (a spurious or stray return from {@code park} goes round and parks again).
     */
    @JCStressTest(Mode.Termination)
    @Description("A producer parked in Demand.await() is always woken by request(1).")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The producer saw the demand: before parking, or unparked by the request.")
    @Outcome(expect = FORBIDDEN, desc = "STALE: lost wake-up, the producer parked with demand pending; ERROR: await threw.")
    @State
    public static class AwaitIsWokenByRequest {
        final Demand demand = new Demand();

        @Actor
        public void producer() throws InterruptedException {
            if (demand.await() != 1) {
                throw new IllegalStateException("await returned without the demand");
            }
        }

        @Signal
        public void request() {
            demand.request(1);
        }
    }
}
