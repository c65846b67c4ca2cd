package io.vtbridge.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The intrusive identity index: lookups by identity, growth, removal, bad input, and lookups under churn. */
class IdentityIndexTest {

    /** A value that is its own entry. */
    static final class Entry extends IdentityIndex.Node<Object> {
        final int id;

        Entry(int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "Entry" + id;
        }
    }

    /** Fills {@code entries} with fresh entries (ids 0, 1, ...) added under fresh keys; returns the keys. */
    private static Object[] addFresh(IdentityIndex<Object, Entry> index, Entry[] entries) {
        Object[] keys = new Object[entries.length];
        for (int i = 0; i < entries.length; i++) {
            keys[i] = new Object();
            entries[i] = new Entry(i);
            index.add(entries[i], keys[i]);
        }
        return keys;
    }

    @Test
    void findsByIdentityNotByEquality() {
        IdentityIndex<Object, Entry> index = new IdentityIndex<>();
        String key = new String("k");
        Entry e = new Entry(1);
        index.add(e, key);

        assertThat(index.find(key)).isSameAs(e);
        assertThat(e.indexKey()).isSameAs(key);
        assertThat(index.find(new String("k"))).isNull(); // equal, not the same
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void growsAndStillFindsEveryNodeThenForgetsEachRemovedOne() {
        IdentityIndex<Object, Entry> index = new IdentityIndex<>();
        List<Object> keys = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            Object key = new Object();
            Entry e = new Entry(i);
            keys.add(key);
            entries.add(e);
            index.add(e, key);
        }
        assertThat(index.size()).isEqualTo(5_000);
        assertThat(index.buckets()).isGreaterThanOrEqualTo(5_000).isLessThan(2 * 5_000 + 1);
        assertThat(Integer.bitCount(index.buckets())).isEqualTo(1);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(index.find(keys.get(i))).isSameAs(entries.get(i));
        }

        // Every other one out: the rest, which share buckets with them, stay found.
        for (int i = 0; i < keys.size(); i += 2) {
            assertThat(index.remove(entries.get(i))).isTrue();
        }
        assertThat(index.size()).isEqualTo(2_500);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(index.find(keys.get(i))).isSameAs(i % 2 == 0 ? null : entries.get(i));
        }
        for (int i = 1; i < keys.size(); i += 2) {
            assertThat(index.remove(entries.get(i))).isTrue();
        }
        assertThat(index.size()).isZero();
        assertThat(index.buckets()).isGreaterThanOrEqualTo(5_000); // never shrinks
    }

    @Test
    void aNodeIsAddedOnceAndRemovedOnce() {
        IdentityIndex<Object, Entry> index = new IdentityIndex<>();
        IdentityIndex<Object, Entry> other = new IdentityIndex<>();
        Entry e = new Entry(7);
        Object key = new Object();

        assertThat(index.remove(e)).isFalse(); // never added
        index.add(e, key);
        assertThatThrownBy(() -> index.add(e, new Object()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Entry7");
        assertThatThrownBy(() -> other.add(e, key))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Entry7");
        assertThat(other.remove(e)).isFalse(); // held by another index
        assertThat(index.find(key)).isSameAs(e);

        assertThat(index.remove(e)).isTrue();
        assertThat(index.remove(e)).isFalse();
        assertThat(index.find(key)).isNull();
        assertThatThrownBy(() -> index.add(e, key)).isInstanceOf(IllegalStateException.class);
        assertThat(index.size()).isZero();
    }

    @Test
    void nullsAreRefusedByName() {
        IdentityIndex<Object, Entry> index = new IdentityIndex<>();
        assertThatThrownBy(() -> index.add(null, new Object())).isInstanceOf(NullPointerException.class).hasMessage("node");
        assertThatThrownBy(() -> index.add(new Entry(1), null)).isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> index.remove(null)).isInstanceOf(NullPointerException.class).hasMessage("node");
        assertThat(index.size()).isZero();
    }

    /**
     * Two threads add and remove nodes of their own while a third looks up nodes that stay in the
     * index all along: with no growth during the run (the array was grown beforehand and never
     * shrinks), every lookup of a node that stays finds it, and no lookup finds another key's node.
     */
    @Test
    void lookupsOfNodesThatStayAlwaysFindThemWhileOthersComeAndGo() throws Exception {
        IdentityIndex<Object, Entry> index = new IdentityIndex<>();
        List<Entry> sizing = new ArrayList<>();
        for (int i = 0; i < 4_096; i++) {
            Entry e = new Entry(-i);
            sizing.add(e);
            index.add(e, new Object());
        }
        sizing.forEach(index::remove);
        int buckets = index.buckets();

        int stable = 256;
        Entry[] stableEntries = new Entry[stable];
        Object[] stableKeys = addFresh(index, stableEntries);

        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(2);
        List<CompletableFuture<Integer>> churners = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int base = 1_000_000 * (t + 1);
            churners.add(CompletableFuture.supplyAsync(() -> {
                started.countDown();
                int rounds = 0;
                List<Entry> mine = new ArrayList<>();
                while (!stop.get()) {
                    for (int i = 0; i < 32; i++) {
                        Entry e = new Entry(base + rounds * 32 + i);
                        mine.add(e);
                        index.add(e, new Object());
                    }
                    for (Entry e : mine) {
                        if (!index.remove(e)) {
                            throw new AssertionError("lost " + e);
                        }
                    }
                    mine.clear();
                    rounds++;
                }
                return rounds;
            }, runnable -> Thread.ofPlatform().start(runnable)));
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        AtomicInteger lookups = new AtomicInteger();
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        try {
            while (System.nanoTime() - until < 0) {
                for (int i = 0; i < stable; i++) {
                    assertThat(index.find(stableKeys[i])).isSameAs(stableEntries[i]);
                }
                assertThat(index.find(new Object())).isNull();
                lookups.addAndGet(stable + 1);
            }
        } finally {
            stop.set(true);
        }
        for (CompletableFuture<Integer> churner : churners) {
            assertThat(churner.get(10, TimeUnit.SECONDS)).isPositive();
        }
        assertThat(index.buckets()).isEqualTo(buckets); // no growth: the precondition of the claim held
        assertThat(index.size()).isEqualTo(stable);
        assertThat(lookups.get()).isPositive();
    }

    /**
     * Lookups racing growths: one thread adds nodes (the index doubles again and again, relinking
     * every node each time) while another looks up nodes added before it began. Each lookup ends and
     * returns the node asked for or, while a growth relinks, nothing; never another key's node.
     */
    @Test
    void lookupsDuringGrowthsEndAndNeverReturnAnotherKeysNode() throws Exception {
        IdentityIndex<Object, Entry> index = new IdentityIndex<>();
        int early = 64;
        Entry[] entries = new Entry[early];
        Object[] keys = addFresh(index, entries);
        int initialBuckets = index.buckets();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Integer> adder = CompletableFuture.supplyAsync(() -> {
            int added = 0;
            while (!stop.get() && added < 400_000) {
                index.add(new Entry(-added), new Object());
                added++;
            }
            return added;
        }, runnable -> Thread.ofPlatform().start(runnable));
        long found = 0;
        long missed = 0;
        try {
            while (!adder.isDone()) {
                for (int i = 0; i < early; i++) {
                    Entry e = index.find(keys[i]);
                    if (e == null) {
                        missed++;
                    } else {
                        assertThat(e).as("the node of key %d", i).isSameAs(entries[i]);
                        found++;
                    }
                }
            }
        } finally {
            stop.set(true);
        }
        assertThat(adder.get(30, TimeUnit.SECONDS)).isPositive();
        assertThat(index.buckets()).as("the index grew while it was looked up").isGreaterThan(initialBuckets);
        assertThat(found).isPositive();
        for (int i = 0; i < early; i++) {
            assertThat(index.find(keys[i])).as("after the growths, found again").isSameAs(entries[i]);
        }
        assertThat(missed).as("misses happen only while a growth relinks: fewer than finds").isLessThan(found);
    }
}
