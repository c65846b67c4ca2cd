package io.vtbridge.jcstress;

import io.vtbridge.queue.MpscLinkedQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link MpscLinkedQueue}'s stamps: the consumer that polls an element reads the stamp it was offered
 * with ({@link MpscLinkedQueue#polledStamp()}), never the initial 0 of a node not yet published or
 * another element's: the stamp is written before the swap that publishes the node, as the element is.
 * The loops stamp every continuation with the moment it became runnable, for the scheduling-delay
 * histograms.
 *
 * <p>r1: what the consumer's poll saw (0: nothing yet, else the element), r2: the stamp it read then
 * (0 when nothing was polled). The producer offers element 7 with stamp 70.
 */
public final class MpscQueueStampTest {

    private MpscQueueStampTest() {
    }

    @JCStressTest
    @Description("A polled element comes with the stamp it was offered with.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The consumer polled before the element was linked.")
    @Outcome(id = "7, 70", expect = ACCEPTABLE, desc = "The consumer polled the element, with its stamp.")
    @Outcome(expect = FORBIDDEN, desc = "An element without its stamp, or a stamp without an element.")
    @State
    public static class OfferVersusPoll {
        final MpscLinkedQueue<Long> queue = new MpscLinkedQueue<>();

        @Actor
        public void producer() {
            queue.offer(7L, 70L);
        }

        @Actor
        public void consumer(JJ_Result r) {
            Long e = queue.poll();
            r.r1 = e == null ? 0 : e;
            r.r2 = e == null ? 0 : queue.polledStamp();
        }
    }
}
