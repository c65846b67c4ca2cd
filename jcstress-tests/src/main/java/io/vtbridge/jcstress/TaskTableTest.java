package io.vtbridge.jcstress;

import io.vtbridge.task.TaskTable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link TaskTable}: a slot is held by at most one thread at a time, a full table refuses with
 * {@code -1}, and after every acquire has been released the table is whole again.
 *
 * <p>Every actor marks a slot it holds in an owner array of its own ({@code getAndSet} of its id
 * right after {@code acquire}, cleared right before {@code release}); finding another mark there,
 * or another item in the table's slot, is a clash: two holders of one slot. Every result is
 * <pre>
 *   r1, r2  what the actors got (see each test)
 *   r3      clashes seen by the actors                                  always 0
 *   r4      used() after both actors returned                           always 0
 *   r5      slots the arbiter can then acquire, all distinct, before -1 always the capacity
 * </pre>
 */
public final class TaskTableTest {

    private TaskTableTest() {
    }

    /** Who holds which slot, kept beside the table under test. */
    static final class Owners {
        private final AtomicIntegerArray owner;

        Owners(int capacity) {
            owner = new AtomicIntegerArray(capacity);
        }

        /** Marks {@code slot} as held by {@code who}; returns 1 if it was already held (a clash). */
        int enter(TaskTable<Object> table, int slot, int who, Object item) {
            int clash = owner.getAndSet(slot, who) == 0 ? 0 : 1;
            return table.get(slot) == item ? clash : clash + 1;
        }

        /** Clears the mark only, for a slot given back by a later {@code releaseAll}. */
        void clear(int slot) {
            owner.set(slot, 0);
        }

        /** Clears the mark, then gives the slot back: the next holder cannot see a stale mark. */
        void leave(TaskTable<Object> table, int slot) {
            owner.set(slot, 0);
            table.release(slot);
        }
    }

    /**
     * For the arbiter: acquires until the table refuses. Returns the number of slots obtained if
     * they were all distinct and the table then refused, else -1 (a corrupted free stack: a slot
     * handed out twice, or no refusal after {@code capacity} slots).
     */
    static int intactFreeSlots(TaskTable<Object> table) {
        int capacity = table.capacity();
        boolean[] seen = new boolean[capacity];
        for (int n = 0; n <= capacity; n++) {
            int slot = table.acquire("arbiter");
            if (slot < 0) {
                return n;
            }
            if (n == capacity || seen[slot]) {
                return -1;
            }
            seen[slot] = true;
        }
        return -1;
    }

    /**
     * Shared shape: two actors that each acquire once, hold, and release. (jcstress reads the
     * annotations of the test class only, so each test declares its own thin {@code @Actor}s.)
     */
    abstract static class AcquireOnceEach {
        final TaskTable<Object> table;
        final Owners owners;
        private final Object itemA = "A";
        private final Object itemB = "B";
        private int clashesA; // written by actorA, read by the arbiter
        private int clashesB; // written by actorB, read by the arbiter

        AcquireOnceEach(int capacity) {
            table = new TaskTable<>(capacity);
            owners = new Owners(capacity);
        }

        void runA(IIIII_Result r) {
            int slot = table.acquire(itemA);
            if (slot >= 0) {
                clashesA = owners.enter(table, slot, 1, itemA);
                owners.leave(table, slot);
            }
            r.r1 = slot;
        }

        void runB(IIIII_Result r) {
            int slot = table.acquire(itemB);
            if (slot >= 0) {
                clashesB = owners.enter(table, slot, 2, itemB);
                owners.leave(table, slot);
            }
            r.r2 = slot;
        }

        void check(IIIII_Result r) {
            r.r3 = clashesA + clashesB;
            r.r4 = table.used();
            r.r5 = intactFreeSlots(table);
        }
    }

    /**
     * Capacity 1: whoever holds the slot makes the other's acquire fail.
     * {@code r1}, {@code r2} = the slot each actor got ({@code -1}: refused).
     */
    @JCStressTest
    @Description("Capacity 1, two acquire/release actors: one holder at a time, -1 when full, whole again after.")
    @Outcome(id = "0, 0, 0, 0, 1", expect = ACCEPTABLE,
            desc = "One after the other: the second acquire came after the first release.")
    @Outcome(id = "0, -1, 0, 0, 1", expect = ACCEPTABLE,
            desc = "B tried while A held the only slot: refused.")
    @Outcome(id = "-1, 0, 0, 0, 1", expect = ACCEPTABLE,
            desc = "A tried while B held the only slot: refused.")
    @Outcome(expect = FORBIDDEN,
            desc = "Both held the slot at once (clash), both refused though nobody held it, used() not back to 0, or the free stack not whole.")
    @State
    public static class CapacityOne extends AcquireOnceEach {
        public CapacityOne() {
            super(1);
        }

        @Actor
        public void actorA(IIIII_Result r) {
            runA(r);
        }

        @Actor
        public void actorB(IIIII_Result r) {
            runB(r);
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            check(r);
        }
    }

    /**
     * Capacity 2: both can hold a slot at once, and must hold different ones. The free stack is
     * LIFO with slot 0 on top, so slot 1 is handed out only while slot 0 is held.
     * {@code r1}, {@code r2} = the slot each actor got.
     */
    @JCStressTest
    @Description("Capacity 2, two acquire/release actors: slots held at the same time are distinct; never refused.")
    @Outcome(id = "0, 0, 0, 0, 2", expect = ACCEPTABLE,
            desc = "One after the other: the first release pushed slot 0 back on top before the second acquire.")
    @Outcome(id = "0, 1, 0, 0, 2", expect = ACCEPTABLE,
            desc = "Overlap: A popped slot 0, B popped slot 1 while A held 0 (or B's first CAS lost to A and it retried).")
    @Outcome(id = "1, 0, 0, 0, 2", expect = ACCEPTABLE,
            desc = "Overlap: B popped slot 0, A popped slot 1 while B held 0.")
    @Outcome(id = "1, 1, 0, 0, 2", expect = ACCEPTABLE_INTERESTING,
            desc = "Slot 1 twice, one after the other, no clash: the contract allows it, but the LIFO stack gives slot 1 only while 0 is held, so it should not happen.")
    @Outcome(expect = FORBIDDEN,
            desc = "A refusal with a free slot, a clash (one slot, two holders), used() not back to 0, or the free stack not whole.")
    @State
    public static class CapacityTwo extends AcquireOnceEach {
        public CapacityTwo() {
            super(2);
        }

        @Actor
        public void actorA(IIIII_Result r) {
            runA(r);
        }

        @Actor
        public void actorB(IIIII_Result r) {
            runB(r);
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            check(r);
        }
    }

    /**
     * The ABA shape of a Treiber stack, capacity 2. A acquires a, acquires b, releases a, acquires
     * c, then releases b and c; B acquires d once.
     *
     * <p>The window: B reads top = slot 0 (whose next is slot 1) and stalls before its CAS; A pops
     * 0, pops 1, pushes 0 back. Top is slot 0 again, but its next is now "none". Without the stamp
     * B's CAS would succeed and make slot 1 (held by A) the top, and A's acquire of c would get
     * slot 1 a second time: a clash. With the stamp B's CAS fails, it retries and gets slot 0, and
     * A's acquire of c is refused.
     *
     * <p>{@code r1} = how many of A's three acquires were refused (at most one: B holds at most one
     * slot, and after A releases a there is always one free); {@code r2} = the slot B got.
     */
    @JCStressTest
    @Description("Capacity 2, A: acquire, acquire, release, acquire while B acquires: held slots distinct, stamp defeats ABA.")
    @Outcome(id = "0, 0, 0, 0, 2", expect = ACCEPTABLE,
            desc = "B held slot 0 entirely before or after A's run, or between A's two holds.")
    @Outcome(id = "0, 1, 0, 0, 2", expect = ACCEPTABLE,
            desc = "B took slot 1 while A held only slot 0, and gave it back before A needed a second slot.")
    @Outcome(id = "0, -1, 0, 0, 2", expect = ACCEPTABLE,
            desc = "B tried while A held both slots: refused.")
    @Outcome(id = "1, 0, 0, 0, 2", expect = ACCEPTABLE,
            desc = "B held slot 0 while A held the other: A's second acquire (b or c) was refused; includes the ABA window, where B's stale CAS failed and it took slot 0 on retry.")
    @Outcome(id = "1, 1, 0, 0, 2", expect = ACCEPTABLE,
            desc = "B held slot 1 while A held slot 0: A's second acquire was refused.")
    @Outcome(expect = FORBIDDEN,
            desc = "A slot held twice at once (the ABA failure: a stale pop installed a held slot as top), both sides refused, used() not back to 0, or the free stack not whole.")
    @State
    public static class AbaOnCapacityTwo {
        private final TaskTable<Object> table = new TaskTable<>(2);
        private final Owners owners = new Owners(2);
        private final Object itemA1 = "A1";
        private final Object itemA2 = "A2";
        private final Object itemA3 = "A3";
        private final Object itemB = "B";
        private int clashesA; // written by actorA, read by the arbiter
        private int clashesB; // written by actorB, read by the arbiter

        @Actor
        public void actorA(IIIII_Result r) {
            int refused = 0;
            int clashes = 0;
            int a = table.acquire(itemA1);
            if (a >= 0) {
                clashes += owners.enter(table, a, 1, itemA1);
            } else {
                refused++;
            }
            int b = table.acquire(itemA2);
            if (b >= 0) {
                clashes += owners.enter(table, b, 1, itemA2);
            } else {
                refused++;
            }
            if (a >= 0) {
                owners.leave(table, a);
            }
            int c = table.acquire(itemA3);
            if (c >= 0) {
                clashes += owners.enter(table, c, 1, itemA3);
            } else {
                refused++;
            }
            if (b >= 0) {
                owners.leave(table, b);
            }
            if (c >= 0) {
                owners.leave(table, c);
            }
            clashesA = clashes;
            r.r1 = refused;
        }

        @Actor
        public void actorB(IIIII_Result r) {
            int d = table.acquire(itemB);
            if (d >= 0) {
                clashesB = owners.enter(table, d, 2, itemB);
                owners.leave(table, d);
            }
            r.r2 = d;
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            r.r3 = clashesA + clashesB;
            r.r4 = table.used();
            r.r5 = intactFreeSlots(table);
        }
    }

    /**
     * {@link TaskTable#releaseAll}: a chain of slots pushed with one CAS while the other side pops.
     * Capacity 3: A acquires two slots, holds them, and gives both back with one {@code releaseAll},
     * then acquires once more and releases; B acquires one slot, holds it and releases it. A pop that
     * read the top before the chain's push must fail its CAS (the top changed); one after it must find
     * the whole chain linked.
     *
     * <p>{@code r1} = how many of A's three acquires were refused (never any: B holds at most one of
     * three); {@code r2} = the slot B got (never refused either).
     */
    @JCStressTest
    @Description("Capacity 3, A: acquire two, releaseAll both, acquire again while B acquires and releases one: held slots distinct, table whole.")
    @Outcome(id = {"0, 0, 0, 0, 3", "0, 1, 0, 0, 3", "0, 2, 0, 0, 3"}, expect = ACCEPTABLE,
            desc = "Every acquire served, no slot held twice, used() back to 0, the free stack whole.")
    @Outcome(expect = FORBIDDEN,
            desc = "A refusal with a slot free, a slot held twice (a broken chain), used() not back to 0, or the free stack not whole.")
    @State
    public static class BatchRelease {
        private final TaskTable<Object> table = new TaskTable<>(3);
        private final Owners owners = new Owners(3);
        private int clashesA; // written by actorA, read by the arbiter
        private int clashesB; // written by actorB, read by the arbiter

        @Actor
        public void actorA(IIIII_Result r) {
            int refused = 0;
            int clashes = 0;
            int a = table.acquire("A1");
            int b = table.acquire("A2");
            if (a >= 0) {
                clashes += owners.enter(table, a, 1, "A1");
            } else {
                refused++;
            }
            if (b >= 0) {
                clashes += owners.enter(table, b, 1, "A2");
            } else {
                refused++;
            }
            int[] chain = new int[2];
            int n = 0;
            if (a >= 0) {
                owners.clear(a);
                chain[n++] = a;
            }
            if (b >= 0) {
                owners.clear(b);
                chain[n++] = b;
            }
            table.releaseAll(chain, n);
            int c = table.acquire("A3");
            if (c >= 0) {
                clashes += owners.enter(table, c, 1, "A3");
                owners.leave(table, c);
            } else {
                refused++;
            }
            clashesA = clashes;
            r.r1 = refused;
        }

        @Actor
        public void actorB(IIIII_Result r) {
            int d = table.acquire("B");
            if (d >= 0) {
                clashesB = owners.enter(table, d, 2, "B");
                owners.leave(table, d);
            }
            r.r2 = d;
        }

        @Arbiter
        public void arbiter(IIIII_Result r) {
            r.r3 = clashesA + clashesB;
            r.r4 = table.used();
            r.r5 = intactFreeSlots(table);
        }
    }

    /**
     * What {@link TaskTable#used()} means while slots change hands: the pops (in the stack's top)
     * minus the pushes, which a release counts before its push. So a slot is counted from its pop
     * until just before it is back on the free stack: a reader never sees more than the capacity, but
     * may see one less than the slots actually held (a release that has counted and not yet pushed).
     * Capacity 1: A acquires and releases; B acquires, reads {@code used()} while it holds (or after
     * being refused), then releases.
     *
     * <p>{@code r1} = the slot B got; {@code r2} = {@code used()} as B saw it.
     */
    @JCStressTest
    @Description("Capacity 1: used() never exceeds the capacity; it may read 0 while a slot changes hands.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "B holds the only slot and counts itself.")
    @Outcome(id = "-1, 1", expect = ACCEPTABLE, desc = "B refused while A held the slot; A still counted when B looked.")
    @Outcome(id = "-1, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "B refused while A held the slot, and saw 0: A had already counted its release but not pushed.")
    @Outcome(expect = FORBIDDEN,
            desc = "B holds a slot but reads used() == 0 (its own count missing), or reads 2 (capacity + 1: a slot counted twice).")
    @State
    public static class UsedIsASnapshot {
        private final TaskTable<Object> table = new TaskTable<>(1);

        @Actor
        public void actorA() {
            int slot = table.acquire("A");
            if (slot >= 0) {
                table.release(slot);
            }
        }

        @Actor
        public void actorB(II_Result r) {
            int slot = table.acquire("B");
            r.r1 = slot;
            r.r2 = table.used();
            if (slot >= 0) {
                table.release(slot);
            }
        }
    }
}
