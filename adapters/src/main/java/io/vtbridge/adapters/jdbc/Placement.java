package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.Mode;
import io.vtbridge.Shard;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Where an {@link AsyncJdbc} call runs. A keyed call: on its key's shard
 * ({@link Bridge#submit(Object, Callable)}). An unkeyed call made from a bridged thread of the same
 * bridge (a follow-up in a callback chain, a query inside bridged code): on that thread's shard, so
 * that the call, its completion and the caller's next step stay on one loop, with no wake-up of
 * another loop in between (with two shards, a chain of short H2 calls placed at random spent most
 * of its time waking the other loop: docs/JDBC.md, "Performance"). Any other unkeyed call: on
 * the less loaded of two shards picked at random ({@link Bridge#submit(Callable)}). In
 * {@link Mode#SYNC}: always the bridge's blocking pool.
 *
 * <p>The caller's shard is reached through the public keyed submission: a key per shard, found once
 * (the smallest non-negative {@code Integer} that {@link Bridge#shardFor} maps to it).
 *
 * <p><b>Threading:</b> immutable after construction; {@link #submit} from any thread.
 */
final class Placement {

    /** How far to look for a key per shard before giving up on locality for that shard. */
    private static final int KEY_SEARCH_LIMIT = 1 << 20;

    private final Bridge bridge;
    private final Mode mode;
    private final Integer[] shardKeys; // shardKeys[i] lands on shard i; null if none was found (then: any shard)

    Placement(Bridge bridge, Mode mode) {
        this.bridge = bridge;
        this.mode = mode;
        int shards = bridge.shards().size();
        this.shardKeys = new Integer[shards];
        int found = 0;
        for (int key = 0; key < KEY_SEARCH_LIMIT && found < shards; key++) {
            int index = bridge.shardFor(key).index();
            if (shardKeys[index] == null) {
                shardKeys[index] = key;
                found++;
            }
        }
    }

    /** Submits {@code task} for a call with {@code key} (null: unkeyed), as the class comment says. */
    <T> CompletableFuture<T> submit(Object key, Callable<T> task) {
        if (mode == Mode.SYNC) {
            return bridge.submit(Mode.SYNC, task);
        }
        if (key != null) {
            return bridge.submit(key, task);
        }
        Integer local = callersShardKey();
        return local != null ? bridge.submit(local, task) : bridge.submit(task);
    }

    /** The key of the calling thread's shard, if it is a bridged thread of this bridge. */
    private Integer callersShardKey() {
        Optional<Shard> here = Bridge.current();
        if (here.isEmpty() || here.get().bridge() != bridge) {
            return null;
        }
        return shardKeys[here.get().index()];
    }
}
