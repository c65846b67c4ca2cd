package io.vtbridge;

import io.vtbridge.internal.VarHandles;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.pool.WorkPool;
import io.vtbridge.task.TaskTable;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether a bridge takes work, and where the work goes: the bridge's run state, the in-flight bound
 * ({@link TaskTable}), and the choice of a shard. Every submission passes here; the lifecycle
 * ({@link BridgeLifecycle}) moves the state forward.
 *
 * <p>Run states, forward only (CAS in {@link #advanceState}):
 * <pre>
 *   OPEN     -> CLOSING     close()                     no new tasks; admitted ones may finish
 *   CLOSING  -> STOPPING    timeout, or shutdownNow()   pending futures completed; loops about to stop
 *   OPEN     -> STOPPING    shutdownNow()
 *   STOPPING -> TERMINATED  the lifecycle, last         loops and pools stopped
 * </pre>
 * A submitter reads the state before and after it takes a slot; a closer advances the state and then
 * walks the slots. Whichever order the two interleave in, the task is either seen by the closer's
 * walk or backed out by the submitter (the claim on the task decides who frees the slot, once).
 *
 * <p><b>Threading:</b> every method is thread-safe.
 */
final class Admission {

    static final int OPEN = 0;
    static final int CLOSING = 1;
    static final int STOPPING = 2;
    static final int TERMINATED = 3;

    private static final VarHandle STATE = VarHandles.field(MethodHandles.lookup(), "state", int.class);

    private final String bridgeName;
    private final Shard[] shards;
    private final TaskTable<BridgeTask<?>> tasks;
    private final WorkPool blockingPool;   // Mode.SYNC tasks run here

    private volatile int state; // see the table above; written only by advanceState

    Admission(String bridgeName, Shard[] shards, int maxInFlight, WorkPool blockingPool) {
        this.bridgeName = bridgeName;
        this.shards = shards;
        this.tasks = new TaskTable<>(maxInFlight);
        this.blockingPool = blockingPool;
    }

    /**
     * Admits and starts {@code task} (on its shard, or on the blocking pool for a task without one),
     * or returns why not: a {@link BridgeOverloadedException} when the bound is reached or the
     * blocking pool's queue is full, a plain {@link RejectedExecutionException} once closed. A task
     * that is refused never ran and holds no slot.
     */
    RejectedExecutionException admit(BridgeTask<?> task) {
        if (state != OPEN) {
            return closedRejection();
        }
        int slot = tasks.reserve();
        if (slot < 0) {
            return new BridgeOverloadedException(bridgeName, tasks.capacity());
        }
        // The slot first, then the task where a closer's walk sees it: an abort by that walk frees
        // this slot. Published first, the walk could see the task with no slot yet.
        task.slot = slot;
        tasks.publish(slot, task); // volatile store of the task, then the state load below
        if (state != OPEN) {
            // A closer flipped the state meanwhile and may or may not have seen our slot: the task
            // never starts. Whoever claims it (we, or the closer's abort) frees the slot, once.
            backOut(task);
            return closedRejection();
        }
        try {
            if (task.shard() == null) {
                // Mode.SYNC at LOW: Bridge.blocking calls of running bridged tasks go first.
                blockingPool.execute(Priority.LOW, task::runSync);
            } else {
                task.shard().startTask(task);
            }
        } catch (BridgeOverloadedException queueFull) {
            backOut(task);
            return queueFull;
        } catch (RejectedExecutionException poolStopped) {
            // The blocking pool stopped between our state check and the start (a shutdown that ran
            // its whole course meanwhile): the task never ran. (A shard's loop never refuses a
            // start: after its stop it drops it, and the closer's walk of the table rejects the task.)
            backOut(task);
            return closedRejection();
        }
        return null;
    }

    private void backOut(BridgeTask<?> task) {
        if (task.claimUnstarted()) {
            tasks.release(task.slot);
        }
    }

    /** Frees the slot of a task that has ended (or was aborted before it started). Once per task. */
    void release(BridgeTask<?> task) {
        tasks.release(task.slot);
    }

    RejectedExecutionException closedRejection() {
        return new RejectedExecutionException("bridge " + bridgeName + " is closed");
    }

    /**
     * The shard for a task without a key. From a bridged thread of this bridge whose shard runs tasks
     * on runners: that shard (locality first: the task is queued without a cross-thread wake-up, and
     * an idle shard takes its share through the spill). Otherwise a lightly loaded shard: the less
     * loaded of two picked at random, where load counts the tasks placed on a shard and not ended
     * yet, started or not.
     */
    Shard pickShard() {
        int n = shards.length;
        if (n == 1) {
            return shards[0];
        }
        ShardLoop here = ShardLoop.current();
        if (here != null && here.owner() instanceof Shard own && own.index() < n && shards[own.index()] == own
                && own.runsTasks()) {
            return own;
        }
        if (n == 2) {
            return shards[0].load() <= shards[1].load() ? shards[0] : shards[1];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        return shards[a].load() <= shards[b].load() ? shards[a] : shards[b];
    }

    /** The shard that owns {@code key}: {@code key.hashCode()}, spread, modulo the shard count. */
    Shard shardFor(Object key) {
        Objects.requireNonNull(key, "key");
        int h = key.hashCode();
        return shards[Math.floorMod(h ^ (h >>> 16), shards.length)];
    }

    /** The in-flight table, for the lifecycle's drain and abort and for the stall reports' thread search. */
    TaskTable<BridgeTask<?>> tasks() {
        return tasks;
    }

    /** @throws RejectedExecutionException if the bridge no longer takes work */
    void checkAccepting() {
        if (state != OPEN) {
            throw closedRejection();
        }
    }

    boolean isOpen() {
        return state == OPEN;
    }

    boolean isStopping() {
        return state >= STOPPING;
    }

    boolean isTerminated() {
        return state == TERMINATED;
    }

    int state() {
        return state;
    }

    /** Moves the state to {@code target} unless it is there or beyond already. */
    void advanceState(int target) {
        while (true) {
            int current = state;
            if (current >= target || STATE.compareAndSet(this, current, target)) {
                return;
            }
        }
    }
}
