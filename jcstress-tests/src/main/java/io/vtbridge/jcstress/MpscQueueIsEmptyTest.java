package io.vtbridge.jcstress;

import io.vtbridge.queue.MpscLinkedQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZZ_Result;
import org.openjdk.jcstress.infra.results.ZZZ_Result;
import org.openjdk.jcstress.infra.results.ZZ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link MpscLinkedQueue#isEmpty()}: what a consumer that is about to park may conclude from it.
 *
 * <p>An offer is two steps: the swap of {@code last} (sequentially consistent {@code getAndSet}),
 * then the link {@code previous.next = node} (release). Between them the element is "in flight":
 * {@code isEmpty()} (a volatile load of {@code last}) already counts it, {@code poll()} (an acquire
 * load of {@code first.next}) cannot return it yet. These tests pin down exactly that, and no more:
 * <ul>
 *   <li>{@link CompletedOfferIsSeen}: an offer that returned before the check is seen by both
 *       {@code isEmpty()} and {@code poll()};</li>
 *   <li>{@link NonEmptyIsNeverLost}: "not empty" may be unpollable for a while (in flight), but
 *       the element always arrives, exactly once;</li>
 *   <li>{@link StoreThenCheck}: the Dekker pair the wake-up gate relies on, queue half only.</li>
 * </ul>
 */
public final class MpscQueueIsEmptyTest {

    private MpscQueueIsEmptyTest() {
    }

    /** Polls at most this often before giving up on an in-flight element. */
    static final int CONSUMER_POLLS = 4;

    /**
     * The producer offers, then raises a flag; the consumer reads the flag, then asks
     * {@code isEmpty()}, then polls once.
     *
     * <p>Result: {@code r1} = the consumer saw the flag (so {@code offer} returned before its
     * checks: the volatile flag is the happens-before edge); {@code r2} = {@code isEmpty()};
     * {@code r3} = {@code poll()} returned the element.
     */
    @JCStressTest
    @Description("An offer that happened-before the consumer's check is visible to isEmpty() and poll().")
    @Outcome(id = "false, true, false", expect = ACCEPTABLE,
            desc = "The consumer checked and polled before the producer's swap.")
    @Outcome(id = "false, true, true", expect = ACCEPTABLE,
            desc = "isEmpty() ran before the swap; the swap and the link landed before the poll.")
    @Outcome(id = "false, false, true", expect = ACCEPTABLE,
            desc = "The offer completed (or at least linked) before the checks; the flag was not yet visible.")
    @Outcome(id = "false, false, false", expect = ACCEPTABLE_INTERESTING,
            desc = "In flight: the swap was visible to isEmpty(), the link not yet to poll().")
    @Outcome(id = "true, false, true", expect = ACCEPTABLE,
            desc = "The offer returned before the checks: both see the element.")
    @Outcome(expect = FORBIDDEN,
            desc = "The offer returned before the checks (flag seen), yet isEmpty() said empty or poll() returned null.")
    @State
    public static class CompletedOfferIsSeen {
        private final MpscLinkedQueue<Integer> queue = new MpscLinkedQueue<>();
        private volatile boolean offered; // written by the producer after offer() returns; read by the consumer first

        @Actor
        public void producer() {
            queue.offer(1);
            offered = true;
        }

        @Actor
        public void consumer(ZZZ_Result r) {
            r.r1 = offered;
            r.r2 = queue.isEmpty();
            r.r3 = queue.poll() != null;
        }
    }

    /**
     * The consumer asks {@code isEmpty()}, then polls up to {@value #CONSUMER_POLLS} times until it
     * gets the element; the arbiter (after the producer has returned) polls once more.
     *
     * <p>Result: {@code r1} = {@code isEmpty()}; {@code r2} = the consumer got the element;
     * {@code r3} = the arbiter got it; {@code r4} = after that the queue is clean (a further poll
     * returns {@code null} and {@code isEmpty()} is true), always true.
     */
    @JCStressTest
    @Description("isEmpty() == false may be transiently unpollable (in flight), but the element is never lost or duplicated.")
    @Outcome(id = "true, false, true, true", expect = ACCEPTABLE,
            desc = "The consumer saw empty and its polls all ran before the link; the arbiter takes the element.")
    @Outcome(id = "true, true, false, true", expect = ACCEPTABLE,
            desc = "The consumer saw empty, then the offer completed and one of its polls took the element.")
    @Outcome(id = "false, true, false, true", expect = ACCEPTABLE,
            desc = "The consumer saw the element and polled it.")
    @Outcome(id = "false, false, true, true", expect = ACCEPTABLE_INTERESTING,
            desc = "In flight: isEmpty() counted the swapped-in node, every poll ran before its link; the arbiter, after the producer returned, takes it.")
    @Outcome(expect = FORBIDDEN,
            desc = "The element was lost (nobody polled it) or polled twice, or the queue was not clean after the arbiter's poll.")
    @State
    public static class NonEmptyIsNeverLost {
        private final MpscLinkedQueue<Integer> queue = new MpscLinkedQueue<>();

        @Actor
        public void producer() {
            queue.offer(1);
        }

        @Actor
        public void consumer(ZZZZ_Result r) {
            r.r1 = queue.isEmpty();
            boolean got = false;
            for (int i = 0; i < CONSUMER_POLLS && !got; i++) {
                got = queue.poll() != null;
            }
            r.r2 = got;
        }

        @Arbiter
        public void arbiter(ZZZZ_Result r) {
            r.r3 = queue.poll() != null;
            r.r4 = queue.poll() == null && queue.isEmpty();
        }
    }

    /**
     * The consumer's half of the go-to-sleep handshake without the gate: it announces itself with
     * a volatile store, then asks {@code isEmpty()}; the producer offers, then reads the
     * announcement. Each side stores, then loads the other side's location.
     *
     * <p>Result: {@code r1} = the producer saw the announcement (it would wake the consumer);
     * {@code r2} = {@code isEmpty()} (the consumer would park).
     */
    @JCStressTest
    @Description("Store-then-check on both sides: the swap in offer() and the load in isEmpty() are sequentially consistent.")
    @Outcome(id = "false, false", expect = ACCEPTABLE,
            desc = "Offer and its check ran before the announcement; the consumer finds the element.")
    @Outcome(id = "true, true", expect = ACCEPTABLE,
            desc = "The consumer announced and checked before the swap; the producer sees the announcement (would wake it).")
    @Outcome(id = "true, false", expect = ACCEPTABLE,
            desc = "The stores of both sides landed before both loads: each sees the other.")
    @Outcome(expect = FORBIDDEN,
            desc = "Each side missed the other's store (a StoreLoad reordering): the consumer would park on a queue whose producer does not wake it.")
    @State
    public static class StoreThenCheck {
        private final MpscLinkedQueue<Integer> queue = new MpscLinkedQueue<>();
        private volatile boolean announced; // written by the consumer before isEmpty(); read by the producer after offer()

        @Actor
        public void producer(ZZ_Result r) {
            queue.offer(1);
            r.r1 = announced;
        }

        @Actor
        public void consumer(ZZ_Result r) {
            announced = true;
            r.r2 = queue.isEmpty();
        }
    }
}
