package io.vtbridge.testing;

import io.vtbridge.Bridge;
import io.vtbridge.Shard;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Placing bridged test tasks on a chosen shard. */
public final class BridgeFixture {

    private BridgeFixture() {
    }

    /**
     * The smallest non-negative integer key that {@link Bridge#submit(Object, Callable)} (that is,
     * {@link Bridge#shardFor(Object)}) sends to shard {@code shardIndex} of {@code bridge}.
     *
     * @throws IndexOutOfBoundsException if the bridge has no such shard
     */
    public static int keyFor(Bridge bridge, int shardIndex) {
        int shards = bridge.shards().size();
        if (shardIndex < 0 || shardIndex >= shards) {
            throw new IndexOutOfBoundsException("shard " + shardIndex + " of a bridge with " + shards + " shards");
        }
        for (int key = 0; key < 1_000_000; key++) {
            if (bridge.shardFor(key).index() == shardIndex) {
                return key;
            }
        }
        throw new AssertionError("no key below 1,000,000 lands on shard " + shardIndex + " of " + bridge);
    }

    /** Runs {@code task} in a bridged virtual thread on shard {@code shardIndex} of {@code bridge}. */
    public static <T> CompletableFuture<T> on(Bridge bridge, int shardIndex, Callable<T> task) {
        return bridge.submit(keyFor(bridge, shardIndex), task);
    }

    /** Runs {@code task} in a bridged virtual thread on {@code shard}. */
    public static <T> CompletableFuture<T> on(Shard shard, Callable<T> task) {
        return on(shard.bridge(), shard.index(), task);
    }
}
