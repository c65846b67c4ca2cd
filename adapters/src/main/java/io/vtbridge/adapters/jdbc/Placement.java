package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.Mode;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Where an {@link AsyncJdbc} call runs. A keyed call: on its key's shard
 * ({@link Bridge#submit(Object, Callable)}), always. An unkeyed call: {@link Bridge#submit(Callable)},
 * which starts a call made from a bridged thread of the same bridge (a follow-up in a callback
 * chain, a query inside bridged code) on that thread's shard, so that the call, its completion and
 * the caller's next step stay on one loop with no wake-up of another loop in between (with two
 * shards, a chain of short H2 calls placed at random spent most of its time waking the other loop:
 * docs/JDBC.md, "Performance"), and any other on the less loaded of two shards picked at random.
 * Being unkeyed, such a call may be moved to a shard with nothing to do while it waits (for a
 * connection, say), as any unkeyed task may ({@code BridgeBuilder.balance}). In {@link Mode#SYNC}:
 * always the bridge's blocking pool.
 *
 * <p><b>Threading:</b> immutable after construction; {@link #submit} from any thread.
 */
final class Placement {

    private final Bridge bridge;
    private final Mode mode;

    Placement(Bridge bridge, Mode mode) {
        this.bridge = bridge;
        this.mode = mode;
    }

    /** Submits {@code task} for a call with {@code key} (null: unkeyed), as the class comment says. */
    <T> CompletableFuture<T> submit(Object key, Callable<T> task) {
        if (mode == Mode.SYNC) {
            return bridge.submit(Mode.SYNC, task);
        }
        return key != null ? bridge.submit(key, task) : bridge.submit(task);
    }
}
