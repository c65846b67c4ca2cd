package io.vtbridge.jcstress;

import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;
import io.vtbridge.events.EventRing;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link EventRing}: the single-producer ring between a loop (which records events) and the bridge's
 * event dispatcher (which drains them into the listener).
 *
 * <p>Each event is written with three fields derived from one number {@code k}: thread id {@code k},
 * time {@code 100 + k}, shard {@code k}. A consumer that reads a slot whose fields disagree has seen
 * a torn event. Every result string lists what a side got, as the numbers {@code k} in order, with
 * {@code x} for a torn event, or {@code -} for nothing.
 */
public final class EventRingTest {

    private EventRingTest() {
    }

    static void publish(EventRing ring, int k) {
        ring.accept(k, k, EventPhase.RESUME, EventKind.PARK, 100 + k);
    }

    static String drain(EventRing ring) {
        StringBuilder sb = new StringBuilder();
        ring.drain((shard, threadId, phase, kind, nanoTime) -> {
            boolean whole = threadId == shard && nanoTime == 100 + shard
                    && phase == EventPhase.RESUME && kind == EventKind.PARK;
            sb.append(whole ? String.valueOf(shard) : "x");
        });
        return sb.isEmpty() ? "-" : sb.toString();
    }

    /** Two events against a concurrent drain, with room for both. */
    @JCStressTest
    @Description("publish 1, 2 vs drain: the drain gets a prefix, the arbiter the rest; nothing torn, lost, doubled or reordered.")
    @Outcome(id = "-, 12, 0", expect = ACCEPTABLE, desc = "The drain ran before the first publish.")
    @Outcome(id = "1, 2, 0", expect = ACCEPTABLE, desc = "The drain saw the tail after the first publish only.")
    @Outcome(id = "12, -, 0", expect = ACCEPTABLE, desc = "The drain ran after both publishes.")
    @Outcome(expect = FORBIDDEN, desc = "A torn event (x), a lost, doubled or reordered one, or a loss counted with room left.")
    @State
    public static class PublishRacesDrain {
        final EventRing ring = new EventRing(4);

        @Actor
        public void loop() {
            publish(ring, 1);
            publish(ring, 2);
        }

        @Actor
        public void dispatcher(LLL_Result r) {
            r.r1 = drain(ring);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            r.r2 = drain(ring);
            r.r3 = ring.lost();
        }
    }

    /**
     * A ring of two, three publishes: whether the third fits depends on whether the drain freed a
     * slot first. Whatever does not fit is counted lost, never overwritten.
     */
    @JCStressTest
    @Description("publish 1, 2, 3 into a ring of 2 vs drain: every event delivered once or counted lost, in order, never torn.")
    @Outcome(id = "-, 12, 1", expect = ACCEPTABLE, desc = "The drain ran first (empty), or saw nothing; 3 did not fit.")
    @Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "The drain took 1 after 3 was already refused.")
    @Outcome(id = "1, 23, 0", expect = ACCEPTABLE, desc = "The drain freed 1's slot before 3 was published: 3 fits.")
    @Outcome(id = "12, -, 1", expect = ACCEPTABLE, desc = "The drain took 1 and 2 after 3 was refused.")
    @Outcome(id = "12, 3, 0", expect = ACCEPTABLE, desc = "The drain took 1 and 2, freeing room for 3.")
    @Outcome(expect = FORBIDDEN, desc = "A torn event, an overwritten one, a loss not counted, or a reorder.")
    @State
    public static class FullRingCountsLoss {
        final EventRing ring = new EventRing(2);

        @Actor
        public void loop() {
            publish(ring, 1);
            publish(ring, 2);
            publish(ring, 3);
        }

        @Actor
        public void dispatcher(LLL_Result r) {
            r.r1 = drain(ring);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            r.r2 = drain(ring);
            r.r3 = ring.lost();
        }
    }
}
