package io.vtbridge.samples.storage;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * The legacy storage engine, used unchanged: H2's {@link MVStore} in file mode with one
 * {@link MVMap} of {@code long} keys to byte-array values. MVStore takes its own
 * {@code ReentrantLock}s, runs its own background writer thread (auto-commit every second, and a
 * writer that finds too much unsaved data commits inline), and reads and writes its file through a
 * {@code FileChannel}: with a data set several times its page cache, most reads miss the cache and
 * read the file, and a {@link #checkpoint()} writes a chunk and forces it to disk.
 *
 * <p>The engine also records, per key, the highest version issued to a write and whether a write
 * was acknowledged, so that {@link #verify} can check the reopened file.
 *
 * <p><b>Threading:</b> {@link #get}, {@link #put} and {@link #checkpoint} from any threads at once
 * (MVStore is thread-safe); {@link #seed}, {@link #open}, {@link #close} and {@link #verify} from one
 * thread, with no operation running.
 */
final class Engine implements AutoCloseable {

    /** The map's name in the store. */
    private static final String MAP = "data";

    private final MVStore store;
    private final MVMap<Long, byte[]> map;
    private final int keys;
    private final int valueBytes;
    private final AtomicLong versions = new AtomicLong();      // the last version issued, any thread
    private final AtomicLongArray issued;                     // per key: the highest version issued to a write
    private final AtomicLongArray acked;                      // per key: 1 once a write has returned
    private final LongAccumulator longestSync = new LongAccumulator(Math::max, 0); // nanos, any thread

    private Engine(MVStore store, int keys, int valueBytes) {
        this.store = store;
        this.map = store.openMap(MAP);
        this.keys = keys;
        this.valueBytes = valueBytes;
        this.issued = new AtomicLongArray(keys);
        this.acked = new AtomicLongArray(keys);
    }

    /**
     * Writes a fresh store at {@code file}: every key at version 0, committed, closed. The modes copy
     * it, so each starts from the same file.
     */
    static void seed(Path file, int keys, int valueBytes) {
        MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        try {
            MVMap<Long, byte[]> map = store.openMap(MAP);
            for (long key = 0; key < keys; key++) {
                map.put(key, Values.of(key, 0, valueBytes));
                if (key % 1024 == 1023) {
                    store.commit();
                }
            }
            store.commit();
        } finally {
            store.close();
        }
    }

    /** Opens the store at {@code file} (a copy of the seed) with a page cache of {@code cacheMb} MiB. */
    static Engine open(Path file, int keys, int valueBytes, int cacheMb) {
        MVStore store = new MVStore.Builder().fileName(file.toString()).cacheSize(cacheMb).open();
        return new Engine(store, keys, valueBytes);
    }

    /**
     * Reads {@code key}'s value and checks it belongs to the key.
     *
     * @throws IllegalStateException if the key has no value or another key's
     */
    byte[] get(long key) {
        byte[] value = map.get(key);
        if (value == null || value.length != valueBytes || Values.key(value) != key) {
            throw new IllegalStateException("key " + key + " read " + (value == null ? "nothing"
                    : "a value of " + value.length + " bytes for key " + Values.key(value)));
        }
        return value;
    }

    /** Writes a new version of {@code key}'s value (MVStore may commit inline when too much is unsaved). */
    void put(long key) {
        long version = versions.incrementAndGet();
        issued.accumulateAndGet((int) key, version, Math::max);
        map.put(key, Values.of(key, version, valueBytes));
        acked.set((int) key, 1);
    }

    /** A durable checkpoint: MVStore writes what is unsaved as a new chunk, then forces the file to disk. */
    void checkpoint() {
        store.commit();
        long start = System.nanoTime();
        store.sync();
        longestSync.accumulate(System.nanoTime() - start);
    }

    /** The longest {@code sync} (the {@code fsync} of a checkpoint) since the last call, nanoseconds; resets it. */
    long takeLongestSyncNanos() {
        return longestSync.getThenReset();
    }

    /**
     * What MVStore's file store counted since the store was opened: reads from the file (page-cache
     * misses), bytes read, writes to the file.
     */
    FileFigures fileFigures() {
        var file = store.getFileStore();
        return new FileFigures(file.getReadCount(), file.getReadBytes(), file.getWriteCount());
    }

    /** MVStore's own file counters ({@link #fileFigures()}). */
    record FileFigures(long reads, long readBytes, long writes) {

        /** The counts since {@code earlier}. */
        FileFigures minus(FileFigures earlier) {
            return new FileFigures(reads - earlier.reads, readBytes - earlier.readBytes, writes - earlier.writes);
        }
    }

    /** The number of keys. */
    int keys() {
        return keys;
    }

    /** Commits what is unsaved and closes the file; its background writer stops. */
    @Override
    public void close() {
        store.close();
    }

    /**
     * Reopens {@code file} read-only (after {@link #close()}) and checks every key: its value is
     * intact, and it is the seed's if no write to the key was issued, a written one if a write was
     * acknowledged, and never newer than the last version issued to the key.
     *
     * @return the keys whose written value was found
     * @throws IllegalStateException naming the first key that fails
     */
    long verify(Path file) {
        MVStore reopened = new MVStore.Builder().fileName(file.toString()).readOnly().open();
        try {
            MVMap<Long, byte[]> data = reopened.openMap(MAP);
            if (data.sizeAsLong() != keys) {
                throw new IllegalStateException("the reopened store has " + data.sizeAsLong() + " keys, not " + keys);
            }
            long written = 0;
            for (int key = 0; key < keys; key++) {
                byte[] value = data.get((long) key);
                if (value == null || Values.key(value) != key || !Values.intact(value, valueBytes)) {
                    throw new IllegalStateException("key " + key + ": the reopened store has no intact value for it");
                }
                long version = Values.version(value);
                if (version > issued.get(key) || (acked.get(key) == 1 && version == 0)) {
                    throw new IllegalStateException("key " + key + ": the reopened store has version " + version
                            + ", but the last version issued was " + issued.get(key)
                            + (acked.get(key) == 1 ? " and a write was acknowledged" : ""));
                }
                if (version > 0) {
                    written++;
                }
            }
            return written;
        } finally {
            reopened.close();
        }
    }
}
