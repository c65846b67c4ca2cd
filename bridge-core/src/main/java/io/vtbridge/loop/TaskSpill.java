package io.vtbridge.loop;

/**
 * The spill of a loop's unkeyed tasks to a shard that has nothing to do: the busy loop gives part of
 * what waits in its {@link TaskSources} to a hungry peer's inbox.
 *
 * <p><b>The spill.</b> A loop that has found no work for {@link TaskRunners#HUNGRY_AFTER} turns in a
 * row, or is about to park, says it is hungry (a volatile flag). Between two tasks, a loop looks at
 * one peer (the next in turn); if that peer is hungry and this loop has at least {@link #SPILL_MIN}
 * unkeyed tasks queued, it claims the peer (a CAS on the peer's flag, so one loop feeds one hungry
 * peer at a time) and moves up to {@link #SPILL_MAX} of them, never more than half, to the peer's
 * inbox, newest first, and wakes it. Tasks with a key never move. The idea is Go's scheduler's (an
 * idle processor takes half of a busy one's run queue) with the roles turned round: the busy loop
 * gives, so every queue keeps a single consumer.
 *
 * <p>The hunger flag is the peer's {@link TaskRunners} ({@link TaskRunners#isHungry},
 * {@link TaskRunners#claimHungry}, {@link TaskRunners#leaveHungry}).
 *
 * <p><b>Threading:</b> on the loop's owner only (the loop thread, or a runner it carries, between
 * two tasks or at the start of a task step), except {@link #peers}, before the loops start; it
 * reads and claims the peers' hunger flags and offers to their inboxes, which any thread may do.
 */
final class TaskSpill {

    /** The most tasks one spill moves. */
    static final int SPILL_MAX = 64;

    /** The fewest unkeyed tasks a loop must have queued to feed a hungry peer. */
    static final int SPILL_MIN = 8;

    private final ShardLoop loop;
    private final TaskSources sources;       // this loop's: what the spill takes from
    private TaskRunners[] peers = new TaskRunners[0]; // set before the loops start
    private int peerCursor;                  // loop-owned: the peer looked at first next time

    TaskSpill(ShardLoop loop, TaskSources sources) {
        this.loop = loop;
        this.sources = sources;
    }

    /** The other shards' runners. Before the loops start. */
    void peers(TaskRunners[] others) {
        this.peers = others;
    }

    /** Between two tasks: looks at one peer (the next in turn) and feeds it if it is hungry. Owner only. */
    void feedOneHungryPeer() {
        int n = peers.length;
        int i = peerCursor;
        TaskRunners peer = peers[i];
        peerCursor = i + 1 == n ? 0 : i + 1;
        if (peer.isHungry() && (sources.keptOpenCount() >= SPILL_MIN || !sources.inbox.isEmpty()) && peer.claimHungry()) {
            spillTo(peer);
        }
    }

    /** If a peer is hungry and this loop has unkeyed tasks queued: claims the peer and feeds it. Owner only. */
    void spillIfHungryPeer() {
        int n = peers.length;
        for (int i = 0; i < n; i++) {
            TaskRunners peer = peers[(peerCursor + i) % n];
            if (peer.isHungry() && sources.hasTasks() && peer.claimHungry()) {
                peerCursor = (peerCursor + i + 1) % n;
                spillTo(peer);
                return;
            }
        }
    }

    /** Moves up to {@link #SPILL_MAX} unkeyed tasks, and at most half of those queued, to {@code peer}. */
    private void spillTo(TaskRunners peer) {
        // Take a bounded number from the inbox first, a stripe at a time in turn, so that they can
        // be counted and split. Each waits in its stripe's fromInbox deque, which is served before
        // that stripe: the tasks that stay start in the order they were submitted, and a stripe
        // that had nothing taken (another submitter's) is served as before, not behind them.
        int movable = sources.keptOpenCount();
        int taken = 0;
        boolean took = true;
        while (took && taken < 2 * SPILL_MAX && movable < 2 * SPILL_MAX) {
            took = false;
            for (int s = 0; s < RunQueues.INBOUND_STRIPES && taken < 2 * SPILL_MAX && movable < 2 * SPILL_MAX; s++) {
                RunnerTask task = sources.inbox.stripe(s).poll();
                if (task != null) {
                    sources.keepFromInbox(s, task);
                    taken++;
                    took = true;
                    if (task.movable()) {
                        movable++;
                    }
                }
            }
        }
        int moving = movable < SPILL_MIN ? 0 : Math.min(SPILL_MAX, movable / 2);
        for (int i = 0; i < moving; i++) {
            peer.sources.inbox.offer(loop.index(), sources.takeNewestMovable(), 0); // the newest: the oldest keep their place here
        }
        if (moving > 0) {
            loop.counters().add(LoopCounter.TASKS_SPILLED_OUT, moving);
            peer.loop.counters().addShared(LoopCounter.TASKS_SPILLED_IN, moving);
            peer.loop.wakeForTasks();
        } else {
            peer.leaveHungry(); // nothing to give: leave it for another peer
        }
    }
}
