package io.vtbridge.jcstress;

import io.vtbridge.internal.IdentityIndex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

import java.util.Arrays;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The index of a loop's runners by continuation ({@code IdentityIndex}, used by {@code RunnerSteal}):
 * a lookup takes no lock and walks links that the mutators change under a spin lock. Each state's
 * keys all fall into one bucket of the index's first 16, so that every lookup walks one chain past
 * the nodes the other actor changes: {@link #sameBucketKeys} draws keys until enough share a bucket,
 * by the index's bucket function as it is in {@code IdentityIndex.indexFor} (identity hash, its high
 * half folded into the low, masked). If that function changes, change this one with it, or the
 * chains get short and the tests lose their edge (they stay correct). No test grows the index: a
 * lookup that runs during a growth may miss (documented), and that is not what these check.
 */
public final class IdentityIndexTest {

    /** Nodes each state adds before the actors run; with the actors' adds at most 16, so that no add grows the index. */
    static final int HELD = 8;

    private IdentityIndexTest() {
    }

    /** A node with a payload written before it is added. */
    public static final class Entry extends IdentityIndex.Node<Object> {
        int payload;
    }

    /**
     * {@code n} new keys that all fall into one bucket of an index of {@value IdentityIndex#MIN_BUCKETS}
     * buckets: {@code IdentityIndex.indexFor}'s function.
     */
    static Object[] sameBucketKeys(int n) {
        Object[] keys = new Object[n];
        keys[0] = new Object();
        int bucket = bucketOf(keys[0]);
        for (int found = 1; found < n; ) {
            Object candidate = new Object();
            if (bucketOf(candidate) == bucket) {
                keys[found++] = candidate;
            }
        }
        return keys;
    }

    private static int bucketOf(Object key) {
        int h = System.identityHashCode(key);
        return (h ^ (h >>> 16)) & (IdentityIndex.MIN_BUCKETS - 1);
    }

    /**
     * An index holding {@link #HELD} nodes in one bucket, and {@link #HELD} / 2 more keys of that
     * bucket for the actors to add. The chain is head first, so the nodes added last come first.
     */
    static class Held {
        final IdentityIndex<Object, Entry> index = new IdentityIndex<>();
        final Object[] keys;
        final Entry[] entries = new Entry[HELD];
        final Object[] newKeys;

        Held() {
            Object[] all = sameBucketKeys(HELD + HELD / 2);
            keys = Arrays.copyOfRange(all, 0, HELD);
            newKeys = Arrays.copyOfRange(all, HELD, all.length);
            for (int i = 0; i < HELD; i++) {
                entries[i] = new Entry();
                index.add(entries[i], keys[i]);
            }
        }

        /** How many of the nodes {@code from..to} a lookup finds, each under its own key. */
        int found(int from, int to) {
            int n = 0;
            for (int i = from; i < to; i++) {
                if (index.find(keys[i]) == entries[i]) {
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * One thread removes the four nodes at the head of the chain while another looks up the four
     * behind them, so every lookup walks past the nodes being removed: a removal unlinks a node from
     * its predecessor and leaves the node's own link, so a lookup standing on it walks on.
     * {@code r1}: nodes 0..3 found (all 4, always).
     */
    @JCStressTest
    @Description("IdentityIndex: removing nodes never hides a node that stays, to a lookup that runs meanwhile.")
    @Outcome(id = "4", expect = ACCEPTABLE, desc = "Every node that stays is found.")
    @Outcome(id = "[0-3]", expect = FORBIDDEN, desc = "A removal hid a node that stays.")
    @State
    public static class RemoveVersusFind extends Held {

        @Actor
        public void remover() {
            for (int i = HELD - 1; i >= HELD / 2; i--) {
                index.remove(entries[i]);
            }
        }

        @Actor
        public void finder(I_Result r) {
            r.r1 = found(0, HELD / 2);
        }
    }

    /**
     * One thread adds a node whose payload it wrote first while another looks its key up: the
     * lookup finds nothing or the node, and if the node, its payload. {@code r1}: 1 if found;
     * {@code r2}: the payload seen (0 if not found).
     */
    @JCStressTest
    @Description("IdentityIndex: a node found by a lookup that races with its add is seen whole.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The lookup ran before the add.")
    @Outcome(id = "1, 42", expect = ACCEPTABLE, desc = "Found, with the payload written before the add.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Found, but not the writes made before the add.")
    @State
    public static class AddVersusFind extends Held {
        private final Entry entry = new Entry();

        @Actor
        public void adder() {
            entry.payload = 42;
            index.add(entry, newKeys[0]);
        }

        @Actor
        public void finder(II_Result r) {
            Entry found = index.find(newKeys[0]);
            r.r1 = found == null ? 0 : 1;
            r.r2 = found == null ? 0 : found.payload;
        }
    }

    /**
     * One thread adds four nodes while another removes four held ones: both take the spin lock, so
     * no link is lost. {@code r1}: the nodes the arbiter finds, of the four added and the four that
     * stayed (8 when nothing was lost); {@code r2}: the removed ones it still finds plus the size's
     * distance from 8 (0 when right).
     */
    @JCStressTest
    @Description("IdentityIndex: adds and removes from two threads at once lose no link and count right.")
    @Outcome(id = "8, 0", expect = ACCEPTABLE, desc = "Every add and every removal took effect.")
    @Outcome(expect = FORBIDDEN, desc = "A node was lost, a removed one is still found, or the size is wrong.")
    @State
    public static class AddVersusRemove extends Held {
        private final Entry[] newEntries = new Entry[HELD / 2];

        public AddVersusRemove() {
            for (int i = 0; i < newEntries.length; i++) {
                newEntries[i] = new Entry();
            }
        }

        @Actor
        public void adder() {
            for (int i = 0; i < newKeys.length; i++) {
                index.add(newEntries[i], newKeys[i]);
            }
        }

        @Actor
        public void remover() {
            for (int i = 0; i < HELD / 2; i++) {
                index.remove(entries[i]);
            }
        }

        @Arbiter
        public void arbiter(II_Result r) {
            int added = 0;
            for (int i = 0; i < newKeys.length; i++) {
                if (index.find(newKeys[i]) == newEntries[i]) {
                    added++;
                }
            }
            r.r1 = added + found(HELD / 2, HELD);
            r.r2 = found(0, HELD / 2) + Math.abs(index.size() - HELD);
        }
    }
}
