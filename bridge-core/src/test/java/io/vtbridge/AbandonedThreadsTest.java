package io.vtbridge;

import io.vtbridge.loop.ShardLoop;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.Cpu;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A shutdown whose grace runs out abandons the bridged threads that are still waiting: their loop
 * stops, and whatever of theirs is queued there is dropped. These tests check that the bridge's own
 * code never leaves a thread waiting in that queue when it need not (a task that has ended its body
 * and waits a few instructions for a canceller), and never lets an abandoned thread wedge a lock
 * that others wait for (the work pools' queue).
 */
class AbandonedThreadsTest {

    private static final int INTERRUPTING = 4; // RunOnceFuture's phases: a platform thread's cancel inside Thread.interrupt()
    private static final int INTERRUPTED = 5;
    private static final int INTERRUPTING_V = 6; // a virtual thread's

    @Test
    void aTaskThatEndsWhileItsCancelIsInsideTheInterruptIsNotLostToAStopWithNoGrace() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).stopGrace(Duration.ZERO).build();
        ShardLoop loop = bridge.shard(0).loop();
        CompletableFuture<Integer> task = endedInsideACancel(bridge, INTERRUPTING);
        loop.stop();
        // A task that left its carrier to wait would be dropped by the loop's exit now; one that
        // waits on its carrier holds the loop until the canceller is done.
        loop.awaitTermination(100, TimeUnit.MILLISECONDS);
        phase().setInt(task, INTERRUPTED);
        assertThat(loop.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).as("the loop exits").isTrue();
        bridge.shutdownNow();
        assertThat(task).isCancelled();
        assertThat(bridge.inFlight()).as("the slot of a task that ignored no interrupt").isZero();
    }

    @Test
    void aTaskWhoseCancellerIsAVirtualThreadLeavesTheCarrierWhileItWaits() throws Exception {
        // A virtual canceller may need the task's carrier to finish its Thread.interrupt() (it can
        // unmount inside it, on a channel's close lock): the task must not hold the loop while it
        // waits, or neither would ever move on.
        Bridge bridge = Bridge.builder().shards(1).build();
        try {
            CompletableFuture<Integer> task = endedInsideACancel(bridge, INTERRUPTING_V);
            // The shard's only loop still runs other work while the task waits for its canceller.
            assertThat(Await.result("a task behind the waiting one", bridge.submit(() -> 2))).isEqualTo(2);
            phase().setInt(task, INTERRUPTED);
            Await.until("the waiting task ends and frees its slot", () -> bridge.inFlight() == 0);
            assertThat(task).isCancelled();
        } finally {
            bridge.shutdownNow();
        }
    }

    /**
     * A task on {@code bridge} whose body has returned while a {@code cancel(true)} is inside
     * {@code Thread.interrupt()}: the cancel has completed the future and moved the run to
     * {@code interrupting} (the phase of a platform or a virtual canceller), and would store
     * INTERRUPTED once the interrupt returned. The test holds that window open: it sets the phase
     * itself. Returns once the task's thread waits in {@code finishRun}.
     */
    private static CompletableFuture<Integer> endedInsideACancel(Bridge bridge, int interrupting) throws Exception {
        AtomicBoolean letGo = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Integer> task = bridge.submit(() -> {
            running.countDown();
            Await.spinOnCarrier("the test lets the task end", letGo::get);
            return 1;
        });
        Await.latch("the task runs", running);
        Thread taskThread = ((BridgeTask<?>) task).runner();
        task.cancel(false);
        phase().setInt(task, interrupting);
        letGo.set(true);
        Await.frame(taskThread, "finishRun"); // the body has returned; the run waits for the canceller
        return task;
    }

    private static Field phase() throws NoSuchFieldException {
        Field phase = io.vtbridge.task.RunOnceFuture.class.getDeclaredField("phase");
        phase.setAccessible(true);
        return phase;
    }

    @Test
    void aBridgedThreadAbandonedWhileItWantsThePoolQueuesLockDoesNotWedgeTheLock() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).cpuThreads(1).stopGrace(Duration.ZERO).build();
        CountDownLatch holding = new CountDownLatch(1);
        // Holds the only CPU worker until interrupted (the shutdown interrupts it).
        bridge.submit(() -> Bridge.compute(() -> {
            holding.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.WAIT_SECONDS);
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return 1;
        }));
        Await.latch("the CPU worker is held", holding);
        CompletableFuture<Integer> queued = bridge.submit(() -> Bridge.compute(() -> 2)); // its pool task waits in the queue
        Await.until("the second task runs", () -> ((BridgeTask<?>) queued).runner() != null);
        Thread waiter = ((BridgeTask<?>) queued).runner();
        Await.state(waiter, Thread.State.WAITING, "offload");
        ReentrantLock queueLock = queueLock(bridge);
        Thread closer;
        queueLock.lock(); // a pool worker inside take() or poll() for a moment
        try {
            queued.cancel(true); // the interrupted waiter cancels its queued pool task: the queue's lock
            Await.frame(waiter, "PriorityTaskQueue.remove");
            closer = Thread.ofPlatform().name("closer").start(bridge::shutdownNow);
            Await.until("the loop has stopped", () -> bridge.shard(0).loop().isTerminated());
            Await.state(closer, Thread.State.WAITING, "PriorityTaskQueue.close");
        } finally {
            queueLock.unlock(); // the lock wakes its first waiter: that must not be the abandoned thread
        }
        Await.join("shutdownNow() returns", closer);
        assertThat(bridge.isTerminated()).isTrue();
    }

    private static ReentrantLock queueLock(Bridge bridge) throws ReflectiveOperationException {
        Field queueField = io.vtbridge.pool.WorkPool.class.getDeclaredField("queue");
        queueField.setAccessible(true);
        Object queue = queueField.get(bridge.cpuPool());
        Field lockField = io.vtbridge.pool.PriorityTaskQueue.class.getDeclaredField("lock");
        lockField.setAccessible(true);
        return (ReentrantLock) lockField.get(queue);
    }

    /**
     * A hog moved to the CPU pool, abandoned by a stop with no grace, parks with a timeout on its
     * worker after the shard's JDK-facing timer pool has stopped: the park gets a timeout that never
     * fires. Before, the stopped pool's rejection was thrown out of the JDK's park at the worker,
     * which died of it.
     */
    @Test
    void aTimedParkOfAnAbandonedMovedHogThrowsNothingAtThePoolWorker() throws Exception {
        assumeTrue(Runtime.version().feature() == 25, "the shard's JDK-facing timer pool exists on JDK 25 only");
        List<String> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
        try {
            for (int round = 0; round < 20 && uncaught.isEmpty(); round++) {
                Bridge bridge = Bridge.builder().shards(1).name("hog-timer-" + round).moveHogs(true)
                        .stopGrace(Duration.ZERO).build();
                CountDownLatch onCpu = new CountDownLatch(1);
                CountDownLatch parked = new CountDownLatch(1);
                AtomicBoolean onWorker = new AtomicBoolean();
                bridge.submit(() -> {
                    Cpu.spinMillis(2);
                    Thread.yield();                                  // moved to the CPU pool
                    onWorker.set(Thread.currentThread().toString().contains("-cpu-"));
                    onCpu.countDown();
                    Cpu.spinMillis(40);                                  // still on the worker while the bridge stops
                    for (int i = 0; i < 3; i++) {
                        try {
                            Thread.sleep(1);                         // a timed park armed on the worker
                        } catch (InterruptedException ignored) {
                            // ignores the shutdown
                        }
                    }
                    parked.countDown();
                    return null;
                });
                assertThat(onCpu.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(onWorker.get()).as("the hog runs on a CPU worker").isTrue();
                bridge.shutdownNow();
                parked.await(2, TimeUnit.SECONDS); // an abandoned thread may never get that far: then the check below tells
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        assertThat(uncaught).as("exceptions thrown at the bridge's pool workers").isEmpty();
    }
}
