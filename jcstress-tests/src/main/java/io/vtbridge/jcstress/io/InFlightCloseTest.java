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
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link InFlight} (over {@code ClosableQueue}) when a child ends: the writer adding a request it is
 * about to write races the reader closing the queue to fail what the child left unanswered. An
 * accepted request must be in the list the close returns (so it is failed); a refused one must not
 * (the writer sends it to the next child). The same queue class carries the channel's request queue,
 * where {@code request()} races {@code close()}.
 *
 * <p>r1: 1 if {@code add} accepted x; r2: 1 if {@code close()} returned x; r3: 1 if x could still be
 * delivered a frame after both (left behind in a closed queue).
 */
public final class InFlightCloseTest {

    private InFlightCloseTest() {
    }

    @JCStressTest
    @Description("add() vs close(): an accepted request is always handed to the closer; a refused one never.")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "Added first: the close hands it back, to be failed.")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "Closed first: the add is refused; the writer sends it to the next child.")
    @Outcome(expect = FORBIDDEN, desc = "Accepted but not handed back (lost, or left in a closed queue), or handed back though refused.")
    @State
    public static class AddRacesClose {
        final Slots slots = new Slots(1);
        final InFlight inFlight = new InFlight();
        final Exchange x;

        public AddRacesClose() {
            slots.tryAcquire();
            x = new Exchange(new byte[] {'x'}, slots);
        }

        @Actor
        public void writer(III_Result r) {
            r.r1 = inFlight.add(x) ? 1 : 0;
        }

        @Actor
        public void reader(III_Result r) {
            r.r2 = inFlight.close().contains(x) ? 1 : 0;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = inFlight.deliver(new byte[0]) != null ? 1 : 0;
        }
    }
}
