package io.vtbridge.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A concurrent identity hash table whose entries are its values: each value extends {@link Node},
 * which holds the key, the link to the next node of its bucket and a state byte, so an entry costs
 * the value those fields (9 bytes before padding, with compressed references) and its bucket's share of one array,
 * where a {@code ConcurrentHashMap} adds a 32-byte node per entry. For an index of objects that exist anyway and that many threads look up by a key they
 * hold (a loop's runners by their continuation, looked up at every resume).
 *
 * <p><b>Lookups take no lock and no CAS.</b> {@link #find} reads the bucket's head with acquire
 * semantics and follows the nodes' volatile links, comparing keys by identity. Mutations take a
 * short spin lock (a CAS on one word; never held across anything that blocks):
 * <ul>
 *   <li>{@link #add} links a fresh node at its bucket's head with a release store, after it wrote the
 *       node's key and link, so a lookup that reaches the node sees both;</li>
 *   <li>{@link #remove} unlinks a node from its predecessor (or the bucket's head) and leaves the
 *       node's own link as it was, so a lookup standing on the removed node still walks on to the
 *       rest of its bucket: removing one node never hides another;</li>
 *   <li>when the nodes outnumber the buckets, an add doubles the buckets and relinks every node into
 *       the new array before it publishes it.</li>
 * </ul>
 *
 * <p><b>What a lookup may miss.</b> A node added before {@code find} began (the add happened before
 * it) and not removed before it ended is found, unless the table grew while {@code find} walked: a
 * lookup on the old array may then be led by a relinked node into another bucket of the new one and
 * miss its key. It never returns a node whose key is not the one asked for, and it always ends (each
 * growth relinks each node once, and every chain it builds is acyclic). Use it where a miss costs
 * only a slower path, never correctness: the loop's runner index treats a miss as "not movable" and
 * runs the resume at home.
 *
 * <p>Bounds: the buckets are a power of two, at least {@value #MIN_BUCKETS}, at most twice the
 * largest number of nodes held at once (the array never shrinks). A node is added once in its life
 * and removed at most once.
 *
 * <p><b>Threading:</b> every method may be called from any thread.
 *
 * @param <K> the key type, compared by identity
 * @param <N> the node (value) type
 */
public final class IdentityIndex<K, N extends IdentityIndex.Node<K>> {

    /** The fewest buckets. */
    public static final int MIN_BUCKETS = 16;

    /** Failed tries of the mutators' lock before each further try yields. */
    private static final int SPINS_BEFORE_YIELD = 64;

    /** The most buckets: the array doubles up to this, then chains grow longer instead. */
    static final int MAX_BUCKETS = 1 << 30;

    private static final VarHandle BUCKET = MethodHandles.arrayElementVarHandle(Node[].class);
    private static final VarHandle LOCKED = VarHandles.field(MethodHandles.lookup(), "locked", int.class);

    /**
     * The part of a value that the index uses: its key and its link. Extend it. Its fields belong to
     * the one index the node is added to.
     *
     * @param <K> the key type
     */
    public abstract static class Node<K> {
        private static final byte FRESH = 0;
        private static final byte ADDED = 1;
        private static final byte REMOVED = 2;

        private K key;                  // written once by add() before the node is published; read by lookups after a volatile link
        private volatile Node<K> next;  // the next node in its bucket: written under the lock, read by lookups
        private byte state;             // guarded by the index's lock

        /** The key this node was added under, or null before it was added. */
        public final K indexKey() {
            return key;
        }
    }

    private volatile Node<K>[] buckets;  // written under the lock (grow); read by lookups
    private volatile int locked;         // 0 free, 1 held: the mutators' spin lock
    private volatile int size;           // written under the lock

    /** An empty index of {@value #MIN_BUCKETS} buckets. */
    public IdentityIndex() {
        this.buckets = newBuckets(MIN_BUCKETS);
    }

    /**
     * The node added under {@code key} (compared by identity), or null if there is none, or if the
     * table grew while this lookup walked it (see the class comment). No lock, no CAS.
     */
    @SuppressWarnings("unchecked")
    public N find(K key) {
        Node<K>[] table = buckets;
        int i = indexFor(key, table.length);
        for (Node<K> n = (Node<K>) BUCKET.getAcquire(table, i); n != null; n = n.next) {
            if (n.key == key) {
                return (N) n;
            }
        }
        return null;
    }

    /**
     * Adds {@code value} under {@code key}. A key should be added once; a second node under the same
     * key is held too, and {@link #find} returns one of them.
     *
     * @throws NullPointerException if either is null
     * @throws IllegalStateException if {@code value} was added before (here or to another index)
     */
    public void add(N value, K key) {
        Node<K> node = Objects.requireNonNull(value, "node");
        Objects.requireNonNull(key, "key");
        lock();
        try {
            if (node.state != Node.FRESH) {
                throw new IllegalStateException("node " + node + " was added to an index before");
            }
            Node<K>[] table = buckets;
            int n = size + 1;
            if (n > table.length && table.length < MAX_BUCKETS) {
                table = grow(table);
            }
            int i = indexFor(key, table.length);
            node.key = key;
            node.next = bucketHead(table, i);
            node.state = Node.ADDED;
            BUCKET.setRelease(table, i, node); // publishes the key and the link above
            size = n;
        } finally {
            unlock();
        }
    }

    /**
     * Removes {@code value}, if it is held here.
     *
     * @return true if it was held here and is removed now; false if it never was, or was removed before
     * @throws NullPointerException if {@code value} is null
     */
    public boolean remove(N value) {
        Node<K> node = Objects.requireNonNull(value, "node");
        lock();
        try {
            if (node.state != Node.ADDED) {
                return false;
            }
            Node<K>[] table = buckets;
            int i = indexFor(node.key, table.length);
            Node<K> previous = null;
            for (Node<K> n = bucketHead(table, i); n != null; previous = n, n = n.next) {
                if (n == node) {
                    Node<K> after = node.next; // node.next stays: a lookup standing on it walks on
                    if (previous == null) {
                        BUCKET.setRelease(table, i, after);
                    } else {
                        previous.next = after;
                    }
                    node.state = Node.REMOVED;
                    size = size - 1;
                    return true;
                }
            }
            return false; // added to another index
        } finally {
            unlock();
        }
    }

    /** The number of nodes held: a snapshot. */
    public int size() {
        return size;
    }

    /** The number of buckets now: a snapshot (for tests and footprint checks). */
    public int buckets() {
        return buckets.length;
    }

    /** Doubles the buckets and relinks every node into the new array, then publishes it. Under the lock. */
    private Node<K>[] grow(Node<K>[] old) {
        Node<K>[] table = newBuckets(old.length << 1);
        for (int b = 0; b < old.length; b++) {
            Node<K> n = bucketHead(old, b);
            while (n != null) {
                Node<K> following = n.next; // read before the relink below changes it
                int i = indexFor(n.key, table.length);
                n.next = table[i];
                table[i] = n;
                n = following;
            }
        }
        buckets = table; // volatile: publishes the plain stores into the new array
        return table;
    }

    @SuppressWarnings("unchecked")
    private Node<K> bucketHead(Node<K>[] table, int i) {
        return (Node<K>) BUCKET.getAcquire(table, i);
    }

    private static int indexFor(Object key, int length) {
        int h = System.identityHashCode(key);
        return (h ^ (h >>> 16)) & (length - 1);
    }

    @SuppressWarnings("unchecked")
    private static <K> Node<K>[] newBuckets(int length) {
        return (Node<K>[]) new Node<?>[length];
    }

    private void lock() {
        for (int spins = 0; !LOCKED.compareAndSet(this, 0, 1); spins++) {
            // Held for a few links, or one growth: no thread blocks while holding it. But the OS may
            // take the holder's CPU away: after a while, let others run rather than burn the share.
            if (spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private void unlock() {
        locked = 0;
    }
}
