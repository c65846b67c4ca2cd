package io.vtbridge.jcstress.io;

import io.vtbridge.adapters.io.internal.Exchange;
import io.vtbridge.adapters.io.internal.InFlight;
import io.vtbridge.adapters.io.internal.Slots;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link InFlight}, the requests a process channel has written to its child: a caller cancelling
 * its request races the reader thread delivering the child's response to it. Whoever wins, the
 * response frame is consumed by that request (delivered or discarded) and the next frame goes to the
 * next request: a cancellation never shifts the matching.
 *
 * <p>Requests a and b are in flight (written, in that order), each holding a slot of two. The reader
 * delivers frame A then frame B; the caller cancels a. r1: what {@code a.cancel} returned; r2: a's
 * outcome (1: got A, 2: cancelled); r3: b's outcome (1: got B, 2: got A); r4: slots still taken;
 * r5: responses discarded.
 */
public final class InFlightCancelTest {

    private InFlightCancelTest() {
    }

    static final byte[] A = {'A'};
    static final byte[] B = {'B'};

    @JCStressTest
    @Description("cancel() of the head vs the reader's delivery: exactly one wins, and the next frame still reaches the next request.")
    @Outcome(id = "1, 2, 1, 0, 1", expect = ACCEPTABLE, desc = "Cancelled before the delivery: frame A is read and discarded in a's place, b gets B.")
    @Outcome(id = "0, 1, 1, 0, 0", expect = ACCEPTABLE, desc = "Delivered first: a got A, the cancel came too late, b gets B.")
    @Outcome(expect = FORBIDDEN, desc = "A frame given to the wrong request (b got A), both or neither outcome for a, a slot kept or freed twice.")
    @State
    public static class CancelRacesDelivery {
        final Slots slots = new Slots(2);
        final InFlight inFlight = new InFlight();
        final Exchange a;
        final Exchange b;

        public CancelRacesDelivery() {
            slots.tryAcquire();
            a = new Exchange(new byte[] {'a'}, slots);
            slots.tryAcquire();
            b = new Exchange(new byte[] {'b'}, slots);
            inFlight.add(a);
            inFlight.add(b);
        }

        @Actor
        public void reader() {
            inFlight.deliver(A);
            inFlight.deliver(B);
        }

        @Actor
        public void caller(IIIII_Result r) {
            r.r1 = a.cancel(false) ? 1 : 0;
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            r.r2 = a.isCancelled() ? 2 : (a.getNow(null) == A ? 1 : 0);
            byte[] bGot = b.getNow(null);
            r.r3 = bGot == B ? 1 : (bGot == A ? 2 : 0);
            r.r4 = slots.used();
            r.r5 = (int) inFlight.discarded();
        }
    }
}
