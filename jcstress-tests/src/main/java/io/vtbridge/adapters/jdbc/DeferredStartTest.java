package io.vtbridge.adapters.jdbc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link DeferredStart}: in {@code Mode.SYNC} a stream's producer is submitted at the first request
 * or signal, not at subscription. The subscribing thread arms the stream once {@code onSubscribe}
 * has returned (it stores {@code armed}, then reads the demand and the signal); a request or a
 * signal updates the demand, then reads {@code armed}. Exactly one of them must submit the producer:
 * none would leave a requested stream without rows for good, two would run the query twice. In this
 * package (split from the adapters') for the package-private classes.
 *
 * <p>r1: 1 if the subscribing thread's {@code arm()} told it to submit the producer; r2: 1 if the
 * other actor's {@code afterDemand()} did.
 */
public final class DeferredStartTest {

    private DeferredStartTest() {
    }

    @JCStressTest
    @Description("arm() vs request(1): the producer is submitted exactly once.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The request came first (or both saw each other and arm won the CAS): the subscribing thread submits.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The stream was armed first (or both saw each other and the requester won the CAS): the requester submits.")
    @Outcome(expect = FORBIDDEN, desc = "0, 0: each missed the other's write and nobody submits (a requested stream that never starts); 1, 1: submitted twice.")
    @State
    public static class ArmVersusRequest {
        final Demand demand = new Demand();
        final DeferredStart start = new DeferredStart(demand);

        @Actor
        public void subscribingThread(II_Result r) {
            r.r1 = start.arm() ? 1 : 0;
        }

        @Actor
        public void requester(II_Result r) {
            demand.request(1);
            r.r2 = start.afterDemand() ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("arm() vs close(): a stream closed by its owner before its first request is started exactly once, to send onError.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The close came first: the subscribing thread submits (the producer sees CLOSED and sends onError).")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The stream was armed first: the closing thread submits.")
    @Outcome(expect = FORBIDDEN, desc = "0, 0: nobody submits, the subscriber never hears of the close; 1, 1: submitted twice.")
    @State
    public static class ArmVersusClose {
        final Demand demand = new Demand();
        final DeferredStart start = new DeferredStart(demand);

        @Actor
        public void subscribingThread(II_Result r) {
            r.r1 = start.arm() ? 1 : 0;
        }

        @Actor
        public void closer(II_Result r) {
            demand.close();
            r.r2 = start.afterDemand() ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("Two requests on an armed stream: the producer is submitted exactly once.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The first requester submits.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The second requester submits.")
    @Outcome(expect = FORBIDDEN, desc = "Submitted twice, or never.")
    @State
    public static class TwoRequestsAfterArm {
        final Demand demand = new Demand();
        final DeferredStart start = new DeferredStart(demand);

        public TwoRequestsAfterArm() {
            if (start.arm()) {
                throw new IllegalStateException("arm() with no demand must not start");
            }
        }

        @Actor
        public void first(II_Result r) {
            demand.request(1);
            r.r1 = start.afterDemand() ? 1 : 0;
        }

        @Actor
        public void second(II_Result r) {
            demand.request(1);
            r.r2 = start.afterDemand() ? 1 : 0;
        }
    }
}
