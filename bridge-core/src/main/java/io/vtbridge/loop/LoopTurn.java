package io.vtbridge.loop;

import io.vtbridge.queue.MpscLinkedQueue;
import io.vtbridge.timer.TimerQueue;

import java.util.concurrent.locks.LockSupport;

/**
 * The body of a loop thread: the iterations ("turns") of one {@link ShardLoop}, each of which serves
 * the work the loop already owns before it takes new work from outside:
 * <ol>
 *   <li>fires up to {@code 8 × batch} due loop timers ({@code Bridge.sleep}, lock timeouts);</li>
 *   <li>runs up to {@code 8 × batch} resumes from the JDK's timer thread (expired timed parks,
 *       {@code Thread.sleep}, on JDK 25 where the loop is seen as a ForkJoinPool; see
 *       {@link ShardLoop#executeExpiry}; on other JDKs these arrive as other threads' resumes);</li>
 *   <li>runs up to {@code 8 × batch} resumes issued by other threads (a lock hand-off from another
 *       shard, a completion, a socket wake-up): work this shard already runs;</li>
 *   <li>runs up to {@code 8 × batch} continuations from the local run queue (resumes issued on this
 *       loop's own thread; no atomics on that path), only those queued before this step;</li>
 *   <li>runs up to {@code batch} thread starts from the inbound MPSC queue: new work (see
 *       {@link ShardLoop#starting});</li>
 *   <li>if it found no work: spins {@code idleSpins} turns, then parks until the next timer or a
 *       wake-up, through the {@link WakeupGate} handshake.</li>
 * </ol>
 * Why this order and these shares: a resume that is due (a timer expired, a same-shard lock
 * hand-off) belongs to work already admitted, and its lateness is what users see; a new start can
 * wait an iteration. With a burst of 100k inbound releases that each arm a 20 ms sleep, serving the
 * sources 1:1 let the wake-ups queue behind the release tail (p99 lateness 40–57 ms against the
 * default scheduler's 22–35 ms; docs/BENCHMARKS.md). Inbound work is never starved: every iteration
 * takes up to {@code batch} of it, whatever the backlog elsewhere (so at least one mount in 25 when
 * every source is backlogged), and a thread that yields in a loop re-queues behind the step that
 * runs it.
 *
 * <p>The loop runs only this code and the continuations it mounts: it never logs, takes no lock of
 * its own, and calls no user code except by mounting a virtual thread. (One JDK lock can be taken on
 * the loop thread: when a mounted virtual thread parks with a timeout, {@code Thread.sleep}, the JDK
 * arms the timer under its {@code ScheduledThreadPoolExecutor}'s queue lock; no virtual thread ever
 * holds that lock. See {@code JdkAccess.spreadTimerQueues}.)
 *
 * <p>With hand-off on, a carrier that lost the loop in a mount ({@link LoopOwnership}) leaves the
 * turn at once, touching nothing loop-owned; the new owner runs the turns from then on.
 *
 * <p><b>Threading:</b> {@link #run} is the body of the loop's {@link LoopThread} (and of each carrier
 * a hand-off starts); everything here runs on the loop's owner.
 */
final class LoopTurn {

    private final ShardLoop loop;
    private final RunQueues queues;
    private final TimerQueue timers;       // loop-owned
    private final WakeupGate gate;
    private final LoopCounters counters;
    private final LoopEvents events;
    private final LoopGauges gauges;
    private final LoopOwnership ownership;
    private final int batch;
    private final int ownedBatch;
    private final int idleSpins;

    LoopTurn(ShardLoop loop, RunQueues queues, TimerQueue timers, WakeupGate gate, LoopCounters counters,
             LoopEvents events, LoopGauges gauges, LoopOwnership ownership, int batch, int idleSpins) {
        this.loop = loop;
        this.queues = queues;
        this.timers = timers;
        this.gate = gate;
        this.counters = counters;
        this.events = events;
        this.gauges = gauges;
        this.ownership = ownership;
        this.batch = batch;
        this.ownedBatch = (int) Math.min((long) batch * ShardLoop.OWNED_SHARE, Integer.MAX_VALUE);
        this.idleSpins = idleSpins;
    }

    /** The loop thread's body. */
    void run() {
        try {
            loop();
        } catch (Throwable e) { // not a continuation's: the loop's own machinery failed (an OOM, say)
            if (!ownership.lost()) {
                loop.recordError(e);
            }
        } finally {
            if (ownership.lost()) {
                ownership.retired(); // a carrier that lost the loop leaves; the new owner runs on
            } else {
                loop.terminate(); // never leave a dead loop that still looks RUNNING to execute()
            }
        }
    }

    private void loop() {
        int spins = 0;
        while (loop.isRunning()) {
            long start = System.nanoTime();
            gauges.busy(start);
            int work = fireTimers() + runRemote(queues.expiries, ownedBatch, LoopCounter.EXPIRY_SCHEDULES);
            if (ownership.lost()) {
                return;
            }
            work += runRemote(queues.resumes, ownedBatch, LoopCounter.REMOTE_SCHEDULES);
            if (ownership.lost()) {
                return;
            }
            work += runLocal();
            if (ownership.lost()) {
                return;
            }
            work += runRemote(queues.inbound, batch, LoopCounter.REMOTE_SCHEDULES);
            if (ownership.lost()) {
                return;
            }
            if (work > 0) {
                // Only iterations that found work are counted: an idle spin writes nothing, so it
                // does not bounce the counters' cache line under threads that read them.
                counters.increment(LoopCounter.ITERATIONS);
                gauges.publish(queues.local.size(), timers.size(), System.nanoTime() - start);
                spins = 0;
            } else if (spins < idleSpins) {
                spins++;
                Thread.onSpinWait();
            } else {
                spins = 0;
                idle();
            }
        }
    }

    private int runRemote(MpscLinkedQueue<Runnable> queue, int limit, LoopCounter counter) {
        int n = 0;
        Runnable continuation;
        while (n < limit && (continuation = queue.poll()) != null) {
            n++;
            counters.increment(counter); // before the mount: whoever the continuation completes sees it counted
            mount(continuation);
            if (ownership.lost()) {
                return n;
            }
        }
        return n;
    }

    private int runLocal() {
        // Only what was queued before this step: resumes issued now wait for the next iteration,
        // so the inbound queue gets its turn even when threads yield in a loop.
        int n = Math.min(queues.local.size(), ownedBatch);
        for (int i = 0; i < n; i++) {
            mount(queues.local.pollFirst());
            if (ownership.lost()) {
                return i + 1;
            }
        }
        return n;
    }

    private int fireTimers() {
        if (timers.size() == 0) {
            return 0;
        }
        int fired = timers.fireDue(System.nanoTime(), ownedBatch);
        counters.add(LoopCounter.TIMERS_FIRED, fired);
        return fired;
    }

    private void mount(Runnable continuation) {
        counters.increment(LoopCounter.MOUNTS);
        events.beginMount();
        LoopThread self = ownership.beginMount(); // with hand-off on: publishes everything above to a watchdog that takes the loop
        try {
            continuation.run();
        } catch (Throwable e) { // the JDK's continuation runner handles user exceptions itself
            if (!LoopOwnership.taken(self)) {
                loop.recordError(e);
            }
        }
        if (!ownership.endMount(self)) {
            // The watchdog handed the loop to a new carrier while this one was stuck in the mount:
            // touch nothing loop-owned any more, and leave.
            return;
        }
        events.endMount();
    }

    private void idle() {
        gauges.idle(); // parked: not a stall, however long
        gate.prepareToSleep(); // volatile store; the loads below cannot move above it
        if (!queues.allEmpty() || !loop.isRunning()) {
            gate.awake();
            return;
        }
        long next = timers.nextDeadline();
        if (next == TimerQueue.NONE) {
            LockSupport.park(loop);
        } else {
            long delay = next - System.nanoTime();
            if (delay <= 0) {
                gate.awake(); // a timer is due already: back to step 1
                return;
            }
            LockSupport.parkNanos(loop, delay);
        }
        gate.awake();
        counters.increment(LoopCounter.PARKS);
        // No virtual thread is mounted here, so the carrier's interrupt status means nothing;
        // a stray interrupt would otherwise turn every later park into a spin.
        Thread.interrupted();
    }
}
