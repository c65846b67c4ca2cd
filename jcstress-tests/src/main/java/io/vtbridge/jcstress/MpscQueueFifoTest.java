package io.vtbridge.jcstress;

import io.vtbridge.queue.MpscLinkedQueue;
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
 * {@link MpscLinkedQueue}: no element is lost or duplicated, and one producer's elements come out
 * in the order it offered them.
 *
 * <p>Elements are the ints 1..4 (boxed); a result of 0 means "nothing" (a {@code null} poll or no
 * poll at all). The {@code @Arbiter} runs after both actors have returned, so every producer has
 * linked its node by then; it drains the queue as the consumer (the hand-over from the actor is a
 * happens-before edge, as the queue's threading contract asks).
 */
public final class MpscQueueFifoTest {

    private MpscQueueFifoTest() {
    }

    /** Polls at most this often in the racing consumer: enough to see both elements, bounded. */
    static final int CONSUMER_POLLS = 4;

    /** 0 for {@code null}, else the element. */
    static int valueOf(Integer e) {
        return e == null ? 0 : e;
    }

    /**
     * Drains {@code queue} after the actors: the first {@code into.length} elements go into
     * {@code into} in poll order; returns how many more were there, plus 100 if the queue still
     * does not report empty at the end (0 when all is well).
     */
    static int drainRest(MpscLinkedQueue<Integer> queue, int[] into) {
        int extra = 0;
        int n = 0;
        Integer e;
        while ((e = queue.poll()) != null) {
            if (n < into.length) {
                into[n++] = e;
            } else {
                extra++;
            }
        }
        return queue.isEmpty() ? extra : extra + 100;
    }

    /**
     * One producer offers 1 then 2 while the consumer polls up to {@value #CONSUMER_POLLS} times,
     * keeping what it gets in order; the arbiter drains the rest.
     *
     * <p>Result: {@code r1 r2} = the elements the racing consumer took, in order (0 = none);
     * {@code r3 r4} = the elements the arbiter found left, in order; {@code r5} = elements beyond
     * those (plus 100 if {@code isEmpty()} stayed false after draining), always 0.
     */
    @JCStressTest
    @Description("One producer vs the consumer: each element exactly once, 1 before 2.")
    @Outcome(id = "0, 0, 1, 2, 0", expect = ACCEPTABLE,
            desc = "Every consumer poll ran before 1 was linked (not yet offered, or swapped in but not linked); the arbiter takes 1 then 2.")
    @Outcome(id = "1, 0, 2, 0, 0", expect = ACCEPTABLE,
            desc = "The consumer took 1; its remaining polls ran before 2 was linked; the arbiter takes 2.")
    @Outcome(id = "1, 2, 0, 0, 0", expect = ACCEPTABLE,
            desc = "The consumer took 1 then 2 while racing the producer; nothing left for the arbiter.")
    @Outcome(expect = FORBIDDEN,
            desc = "An element lost, duplicated, or 2 before 1 (a poll that skipped or re-read a node), or the queue not empty after the drain.")
    @State
    public static class OneProducerRacingConsumer {
        private final MpscLinkedQueue<Integer> queue = new MpscLinkedQueue<>();

        @Actor
        public void producer() {
            queue.offer(1);
            queue.offer(2);
        }

        @Actor
        public void consumer(IIIII_Result r) {
            int[] got = new int[2];
            int n = 0;
            for (int i = 0; i < CONSUMER_POLLS && n < got.length; i++) {
                int e = valueOf(queue.poll());
                if (e != 0) {
                    got[n++] = e;
                }
            }
            r.r1 = got[0];
            r.r2 = got[1];
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            int[] left = new int[2];
            r.r5 = drainRest(queue, left);
            r.r3 = left[0];
            r.r4 = left[1];
        }
    }

    /**
     * Two producers race on the swap of {@code last}: producer A offers 1 then 2, producer B offers
     * 3 then 4. The arbiter (the consumer, after both) polls everything.
     *
     * <p>Result: {@code r1..r4} = the four polls in order; {@code r5} = elements beyond four (plus
     * 100 if {@code isEmpty()} stayed false), always 0. Acceptable are exactly the six merges that
     * keep 1 before 2 and 3 before 4.
     */
    @JCStressTest
    @Description("Two producers, consumer after both: no loss, no duplicate, per-producer FIFO.")
    @Outcome(id = "1, 2, 3, 4, 0", expect = ACCEPTABLE, desc = "A swapped both nodes in before B's first swap.")
    @Outcome(id = "3, 4, 1, 2, 0", expect = ACCEPTABLE, desc = "B swapped both nodes in before A's first swap.")
    @Outcome(id = "1, 3, 2, 4, 0", expect = ACCEPTABLE, desc = "Swaps alternate A, B, A, B.")
    @Outcome(id = "1, 3, 4, 2, 0", expect = ACCEPTABLE, desc = "A's first swap, then both of B's, then A's second.")
    @Outcome(id = "3, 1, 2, 4, 0", expect = ACCEPTABLE, desc = "B's first swap, then both of A's, then B's second.")
    @Outcome(id = "3, 1, 4, 2, 0", expect = ACCEPTABLE, desc = "Swaps alternate B, A, B, A.")
    @Outcome(expect = FORBIDDEN,
            desc = "A lost or duplicated node (two producers linked to the same predecessor), or one producer's elements reordered.")
    @State
    public static class TwoProducers {
        private final MpscLinkedQueue<Integer> queue = new MpscLinkedQueue<>();

        @Actor
        public void producerA() {
            queue.offer(1);
            queue.offer(2);
        }

        @Actor
        public void producerB() {
            queue.offer(3);
            queue.offer(4);
        }

        @Arbiter
        public void consumer(IIIII_Result r) {
            int[] polled = new int[4];
            r.r5 = drainRest(queue, polled);
            r.r1 = polled[0];
            r.r2 = polled[1];
            r.r3 = polled[2];
            r.r4 = polled[3];
        }
    }
}
