package io.vtbridge.jcstress;

import io.vtbridge.Priority;
import io.vtbridge.pool.PriorityTaskQueue;
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
 * {@link PriorityTaskQueue}, the bounded two-level queue of the work pools: a hand-out never picks
 * a {@code LOW} task while a {@code HIGH} one is queued, the capacity counts both levels, and no
 * task is lost or handed out twice when an offer races a poll.
 *
 * <p>Tasks are the constants below; a result records a task as its id ({@code 1} = {@link #LOW_TASK},
 * {@code 2} = {@link #HIGH_TASK}...) and {@code 0} for "nothing" (a {@code null} poll). The
 * {@code @Arbiter} runs after both actors have returned and drains what is left.
 */
public final class PriorityTaskQueueTest {

    private PriorityTaskQueueTest() {
    }

    static final Runnable LOW_TASK = () -> { };
    static final Runnable HIGH_TASK = () -> { };
    static final Runnable FIRST_TASK = () -> { };
    static final Runnable SECOND_TASK = () -> { };

    /** The id of a polled task, 0 for {@code null}, -1 for a task no actor offered. */
    static int idOf(Runnable task) {
        if (task == null) {
            return 0;
        }
        if (task == LOW_TASK || task == FIRST_TASK) {
            return 1;
        }
        if (task == HIGH_TASK || task == SECOND_TASK) {
            return 2;
        }
        return -1;
    }

    /**
     * One {@code LOW} task is queued before the actors start. One actor offers a {@code HIGH} task
     * and then sets a volatile flag; the other reads the flag and then polls once. The arbiter polls
     * once more and reads the size.
     *
     * <p>The flag makes "the offer had returned before the poll began" visible: after seeing it, the
     * poll must pass over the older {@code LOW} task. Without it a {@code LOW} hand-out with the
     * {@code HIGH} task queued would look the same as a poll that simply ran first.
     *
     * <p>Result: {@code r1} = the offer succeeded (1); {@code r2} = the poller saw the flag (1);
     * {@code r3} = the racing poll; {@code r4} = the arbiter's poll; {@code r5} = {@code size()}
     * after it, always 0.
     */
    @JCStressTest
    @Description("HIGH offer vs a poll with a LOW already queued: the LOW task is handed out only if the HIGH one was not yet queued.")
    @Outcome(id = "1, 0, 1, 2, 0", expect = ACCEPTABLE,
            desc = "LOW then HIGH: the poll ran before the offer took the lock, so only the LOW task was queued; the arbiter takes the HIGH task.")
    @Outcome(id = "1, 0, 2, 1, 0", expect = ACCEPTABLE,
            desc = "HIGH then LOW: the offer got the lock first (its flag not yet seen); the poll passes over the older LOW task.")
    @Outcome(id = "1, 1, 2, 1, 0", expect = ACCEPTABLE,
            desc = "HIGH then LOW: the offer had returned before the poll began (flag seen); the poll takes the HIGH task.")
    @Outcome(id = "1, 1, 1, 2, 0", expect = FORBIDDEN,
            desc = "LOW handed out while the HIGH task was queued: the offer had returned before the poll, which still took LOW.")
    @Outcome(expect = FORBIDDEN,
            desc = "A task lost, doubled or invented, the offer refused below capacity, or a size that disagrees with the polls.")
    @State
    public static class HighOvertakesQueuedLow {
        private final PriorityTaskQueue queue = new PriorityTaskQueue(2);
        private volatile boolean offered; // written by the offerer after offer() returned; read by the poller before poll()

        public HighOvertakesQueuedLow() {
            queue.offer(Priority.LOW, LOW_TASK);
        }

        @Actor
        public void offerer(IIIII_Result r) {
            r.r1 = queue.offer(Priority.HIGH, HIGH_TASK) ? 1 : 0;
            offered = true;
        }

        @Actor
        public void poller(IIIII_Result r) {
            r.r2 = offered ? 1 : 0;
            r.r3 = idOf(queue.poll());
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            r.r4 = idOf(queue.poll());
            r.r5 = queue.size();
        }
    }

    /**
     * A queue of capacity 1 holds one task before the actors start. One actor polls once and then
     * sets a volatile flag; the other reads the flag and then offers a second task. The offer fits
     * only once the poll has freed the place. The arbiter polls once more and reads the size.
     *
     * <p>Result: {@code r1} = the racing poll (always the first task, 1); {@code r2} = the offerer
     * saw the flag (1); {@code r3} = the offer succeeded (1) or was refused as full (0);
     * {@code r4} = the arbiter's poll; {@code r5} = {@code size()} after it, always 0.
     */
    @JCStressTest
    @Description("Offer into a full queue of capacity 1 vs a poll: the offer either fits (and its task is there) or was refused while full; never both lost.")
    @Outcome(id = "1, 0, 1, 2, 0", expect = ACCEPTABLE,
            desc = "The poll freed the place before the offer took the lock (its flag not yet seen): the offer fits; the arbiter finds the second task.")
    @Outcome(id = "1, 1, 1, 2, 0", expect = ACCEPTABLE,
            desc = "The poll had returned before the offer began (flag seen): the offer fits; the arbiter finds the second task.")
    @Outcome(id = "1, 0, 0, 0, 0", expect = ACCEPTABLE,
            desc = "The offer got the lock first, against the still full queue: refused at once; the poll then empties the queue.")
    @Outcome(id = "1, 1, 0, 0, 0", expect = FORBIDDEN,
            desc = "Refused as full although the poll had returned before the offer began: a stale count.")
    @Outcome(expect = FORBIDDEN,
            desc = "An accepted offer whose task is gone, a refused offer whose task is there anyway, the first task lost or "
                    + "doubled, the capacity exceeded, or a size that disagrees with the polls.")
    @State
    public static class OfferIntoFullQueueVsPoll {
        private final PriorityTaskQueue queue = new PriorityTaskQueue(1);
        private volatile boolean polled; // written by the poller after poll() returned; read by the offerer before offer()

        public OfferIntoFullQueueVsPoll() {
            queue.offer(Priority.HIGH, FIRST_TASK);
        }

        @Actor
        public void poller(IIIII_Result r) {
            r.r1 = idOf(queue.poll());
            polled = true;
        }

        @Actor
        public void offerer(IIIII_Result r) {
            r.r2 = polled ? 1 : 0;
            r.r3 = queue.offer(Priority.LOW, SECOND_TASK) ? 1 : 0;
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            r.r4 = idOf(queue.poll());
            r.r5 = queue.size();
        }
    }
}
