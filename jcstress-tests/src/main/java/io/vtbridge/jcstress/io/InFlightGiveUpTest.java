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
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

import java.io.IOException;
import java.util.List;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link InFlight} when a child's end is reported by another thread than its reader: the channel's
 * exit watch or its close gives up on a child whose reader waits on an output held open, and closes
 * the queue to fail what is unanswered, while that reader may just have woken with a frame to
 * deliver. And the reader sealing the queue when the output ends, against the writer adding a
 * request it is about to write.
 */
public final class InFlightGiveUpTest {

    private InFlightGiveUpTest() {
    }

    private static final IOException GAVE_UP = new IOException("gave up on the child");

    /**
     * r1: 1 if the reader's {@code deliver} got x; r2: 1 if the give-up's {@code close()} returned x
     * (and failed it); r3, the arbiter: 1 if x completed with the frame, 2 if it failed, 0 if
     * pending; r4: the slots still taken.
     */
    @JCStressTest
    @Description("deliver() vs a give-up's close() from another thread: x is answered or failed, exactly once; its slot freed.")
    @Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE, desc = "Delivered first: x answered; the give-up finds nothing left.")
    @Outcome(id = "0, 1, 2, 0", expect = ACCEPTABLE, desc = "Given up first: x failed; the reader finds no request for its frame.")
    @Outcome(expect = FORBIDDEN, desc = "x taken by both or neither, completed the wrong way or not at all, or its slot not freed.")
    @State
    public static class DeliverRacesGiveUp {
        final Slots slots = new Slots(1);
        final InFlight inFlight = new InFlight();
        final byte[] frame = {'r'};
        final Exchange x;

        public DeliverRacesGiveUp() {
            slots.tryAcquire();
            x = new Exchange(new byte[] {'x'}, slots);
            inFlight.add(x);
        }

        @Actor
        public void reader(IIII_Result r) {
            r.r1 = inFlight.deliver(frame) == x ? 1 : 0;
        }

        @Actor
        public void givingUp(IIII_Result r) {
            List<Exchange> unanswered = inFlight.close();
            for (Exchange e : unanswered) {
                e.release();
                e.completeExceptionally(GAVE_UP);
            }
            r.r2 = unanswered.contains(x) ? 1 : 0;
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r3 = !x.isDone() ? 0 : x.isCompletedExceptionally() ? 2 : x.getNow(null) == frame ? 1 : 3;
            r.r4 = slots.used();
        }
    }

    /**
     * r1: 1 if the writer's {@code add} accepted x; r2, the arbiter: 1 if the report's
     * {@code close()} returns x; r3: 1 if an {@code add} after both is accepted (must be 0).
     */
    @JCStressTest
    @Description("add() vs seal(): an accepted request stays for the report that fails it; a refused one goes to the next child.")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "Added first: sealed in, handed to the report.")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "Sealed first: the add is refused; the writer sends x to the next child.")
    @Outcome(expect = FORBIDDEN, desc = "Accepted but lost, handed back though refused, or an add accepted after the seal.")
    @State
    public static class AddRacesSeal {
        final Slots slots = new Slots(2);
        final InFlight inFlight = new InFlight();
        final Exchange x;
        final Exchange late;

        public AddRacesSeal() {
            slots.tryAcquire();
            slots.tryAcquire();
            x = new Exchange(new byte[] {'x'}, slots);
            late = new Exchange(new byte[] {'y'}, slots);
        }

        @Actor
        public void writer(III_Result r) {
            r.r1 = inFlight.add(x) ? 1 : 0;
        }

        @Actor
        public void reader() {
            inFlight.seal();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = inFlight.add(late) ? 1 : 0;
            r.r2 = inFlight.close().contains(x) ? 1 : 0;
        }
    }
}
