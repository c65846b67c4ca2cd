package io.vtbridge;

import io.vtbridge.testing.TestBridge;
import io.vtbridge.monitor.ShardStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import static io.vtbridge.testing.Await.WAIT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Level 2 of docs/JDK-PARKING.md: JDK primitives that park a virtual thread unmount a bridged one
 * too, with no change in vtbridge, and the resume comes back through the shard's queues.
 *
 * <p>Every test has the same shape, on a one-shard bridge: task A blocks in the primitive; task B
 * then runs to completion on the same shard while A is still blocked (with one loop thread, that is
 * only possible if A's virtual thread unmounted); the test releases A from its own platform thread;
 * A completes, and the shard's counters show through which queue its resume arrived.
 */
@Timeout(60)
class JdkParkingTest {

    @TestBridge(shards = 1)
    private Bridge bridge;

    @Test
    void reentrantLockContentionUnmountsAndTheUnlockResumesThroughTheInboundQueue() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        ShardStats beforeRelease;
        Blocked<Boolean> a;
        lock.lock(); // held by the test's platform thread: A will contend
        try {
            a = blockInBridgedCode(() -> {
                lock.lock();
                try {
                    return lock.isHeldByCurrentThread();
                } finally {
                    lock.unlock();
                }
            });
            assertLoopRunsOthersWhileBlocked(a);
            assertThat(lock.hasQueuedThread(a.thread)).as("A is queued on the lock").isTrue();
            beforeRelease = bridge.shard(0).stats();
        } finally {
            lock.unlock(); // the release: unparks A from this platform thread
        }
        assertThat(a.result()).isTrue();
        assertRanBridged(a);
        assertResumedFromAnotherThread(beforeRelease);
    }

    @Test
    void conditionAwaitUnmountsAndTheSignalResumesThroughTheInboundQueue() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Condition ready = lock.newCondition();
        boolean[] signalled = {false}; // guarded by lock
        Blocked<String> a = blockInBridgedCode(() -> {
            lock.lock(); // uncontended: A's only park is the await below
            try {
                while (!signalled[0]) {
                    ready.await();
                }
                return "signalled";
            } finally {
                lock.unlock();
            }
        });
        assertLoopRunsOthersWhileBlocked(a);
        ShardStats beforeRelease;
        lock.lock(); // free: A released it in await()
        try {
            assertThat(lock.hasWaiters(ready)).as("A waits on the condition").isTrue();
            beforeRelease = bridge.shard(0).stats();
            signalled[0] = true;
            ready.signal();
        } finally {
            lock.unlock();
        }
        assertThat(a.result()).isEqualTo("signalled");
        assertRanBridged(a);
        assertResumedFromAnotherThread(beforeRelease);
    }

    @Test
    void blockingQueueTakeUnmountsAndAPutResumesThroughTheInboundQueue() throws Exception {
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(1);
        Blocked<String> a = blockInBridgedCode(queue::take);
        assertLoopRunsOthersWhileBlocked(a);
        assertThat(queue).isEmpty();
        ShardStats beforeRelease = bridge.shard(0).stats();
        queue.put("item");
        assertThat(a.result()).isEqualTo("item");
        assertRanBridged(a);
        assertResumedFromAnotherThread(beforeRelease);
    }

    @Test
    void blockingQueuePutOnAFullQueueUnmountsAndATakeResumesThroughTheInboundQueue() throws Exception {
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(1);
        queue.put("first");
        Blocked<String> a = blockInBridgedCode(() -> {
            queue.put("second");
            return "put";
        });
        assertLoopRunsOthersWhileBlocked(a);
        assertThat(queue).as("A's put is still pending").containsExactly("first");
        ShardStats beforeRelease = bridge.shard(0).stats();
        assertThat(queue.take()).isEqualTo("first");
        assertThat(a.result()).isEqualTo("put");
        assertThat(queue).containsExactly("second");
        assertRanBridged(a);
        assertResumedFromAnotherThread(beforeRelease);
    }

    @Test
    void completableFutureGetUnmountsAndTheCompletionResumesThroughTheInboundQueue() throws Exception {
        CompletableFuture<String> value = new CompletableFuture<>();
        Blocked<String> a = blockInBridgedCode(value::get);
        assertLoopRunsOthersWhileBlocked(a);
        assertThat(value.getNumberOfDependents()).as("A's get() waits on the future").isPositive();
        ShardStats beforeRelease = bridge.shard(0).stats();
        value.complete("value");
        assertThat(a.result()).isEqualTo("value");
        assertRanBridged(a);
        assertResumedFromAnotherThread(beforeRelease);
    }

    @Test
    void threadSleepUnmountsAndItsExpiryResumesIt() throws Exception {
        // Here the release is each sleep's expiry, not a test action, so A sleeps in short turns
        // until the test says stop: it cannot finish before the test releases it, however slow the
        // machine. Every resume of A is then a sleep's expiry, so the counters are read from before
        // A starts: B's start and A's own start go through the inbound queue, its wake-ups through
        // the local run queue (JDK 25: the expiry is a timer on the loop's own heap), or the inbound
        // queue (other JDKs, whose timer thread is a plain ScheduledThreadPoolExecutor).
        CompletableFuture<Void> stop = new CompletableFuture<>();
        ShardStats beforeA = bridge.shard(0).stats();
        Blocked<Integer> a = blockInBridgedCode(() -> {
            int sleeps = 0;
            do {
                Thread.sleep(20);
                sleeps++;
            } while (!stop.isDone());
            return sleeps;
        });
        assertLoopRunsOthersWhileBlocked(a);
        stop.complete(null);
        int sleeps = a.result();
        assertRanBridged(a);

        ShardStats after = bridge.shard(0).stats();
        assertThat(sleeps).isPositive();
        assertThat(after.resumes() - beforeA.resumes()).as("A resumed once per sleep").isGreaterThanOrEqualTo(sleeps);
        if (Runtime.version().feature() == 25) {
            assertThat(after.localResumes() - beforeA.localResumes())
                    .as("each sleep's wake-up came from the loop's own timer, through the local run queue")
                    .isGreaterThanOrEqualTo(sleeps);
            assertThat(after.expiryResumes() - beforeA.expiryResumes()).as("no JDK timer thread was involved").isZero();
        } else {
            assertThat(after.localResumes() - beforeA.localResumes()).as("no resume came from the loop itself").isZero();
            assertThat(after.remoteResumes() - beforeA.remoteResumes())
                    .as("A's and B's starts, and each sleep's wake-up from the JDK timer thread")
                    .isGreaterThanOrEqualTo(sleeps + 2L);
        }
    }

    @Test
    void socketReadUnmountsAndTheJdkPollerResumesThroughTheInboundQueue() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 1, loopback);
             Socket client = new Socket(loopback, server.getLocalPort());
             Socket accepted = server.accept()) {
            InputStream in = client.getInputStream();
            Blocked<Integer> a = blockInBridgedCode(in::read);
            assertLoopRunsOthersWhileBlocked(a);
            ShardStats beforeRelease = bridge.shard(0).stats();
            OutputStream out = accepted.getOutputStream();
            out.write(42);
            out.flush();
            assertThat(a.result()).isEqualTo(42);
            assertRanBridged(a);
            assertResumedFromAnotherThread(beforeRelease);
        }
    }

    @Test
    void synchronizedContentionUnmountsOnJdk24AndLater() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "synchronized pins the carrier before JDK 24 (JEP 491)");
        Object monitor = new Object();
        ShardStats beforeRelease;
        Blocked<Boolean> a;
        synchronized (monitor) { // held by the test's platform thread: A will contend
            a = blockInBridgedCode(() -> {
                synchronized (monitor) {
                    return Thread.holdsLock(monitor);
                }
            });
            assertLoopRunsOthersWhileBlocked(a);
            assertThat(a.thread.getState()).as("A is blocked on the monitor").isEqualTo(Thread.State.BLOCKED);
            beforeRelease = bridge.shard(0).stats();
        } // the release: the JDK's "VirtualThread-unblocker" thread resumes A
        assertThat(a.result()).isTrue();
        assertRanBridged(a);
        assertResumedFromAnotherThread(beforeRelease);
    }

    @Test
    void objectWaitUnmountsOnJdk24AndLater() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "Object.wait pins the carrier before JDK 24 (JEP 491)");
        Object monitor = new Object();
        boolean[] notified = {false}; // guarded by monitor
        Blocked<String> a = blockInBridgedCode(() -> {
            synchronized (monitor) { // uncontended: A's only park is the wait below
                while (!notified[0]) {
                    monitor.wait();
                }
                return "notified";
            }
        });
        assertLoopRunsOthersWhileBlocked(a);
        ShardStats beforeRelease;
        synchronized (monitor) { // free: A released it in wait()
            assertThat(a.thread.getState()).as("A waits on the monitor").isEqualTo(Thread.State.WAITING);
            beforeRelease = bridge.shard(0).stats();
            notified[0] = true;
            monitor.notify();
        }
        assertThat(a.result()).isEqualTo("notified");
        assertRanBridged(a);
        assertResumedFromAnotherThread(beforeRelease);
    }

    @Test
    void aTimedParkResumedBeforeItsDeadlineLeavesNoTimerBehind() throws Exception {
        assumeTrue(Runtime.version().feature() == 25, "the loop arms timed parks on JDK 25 (ForkJoinPoolFacade)");
        AtomicBoolean released = new AtomicBoolean();
        Blocked<Boolean> a = blockInBridgedCode(() -> {
            while (!released.get()) {
                LockSupport.parkNanos(TimeUnit.MINUTES.toNanos(10));
            }
            return true;
        });
        assertLoopRunsOthersWhileBlocked(a);
        assertThat(bridge.submit(() -> bridge.shard(0).loop().timers().size()).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .as("A's park timeout sits on the loop's heap").isEqualTo(1);
        released.set(true);
        LockSupport.unpark(a.thread);
        assertThat(a.result()).isTrue();
        assertThat(bridge.submit(() -> bridge.shard(0).loop().timers().size()).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .as("the JDK cancelled the timeout when A resumed: no 10-minute timer left").isZero();
    }

    @Test
    void aTimedObjectWaitTimesOutOnJdk24AndLater() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "Object.wait pins the carrier before JDK 24 (JEP 491)");
        Object monitor = new Object();
        Blocked<Long> a = blockInBridgedCode(() -> {
            long start = System.nanoTime();
            synchronized (monitor) {
                monitor.wait(200); // nobody notifies: only its timeout ends it
            }
            return System.nanoTime() - start;
        });
        assertLoopRunsOthersWhileBlocked(a);
        assertThat(a.result()).as("waited its timeout").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertRanBridged(a);
    }

    // ---- the shared shape -----------------------------------------------------------------------

    /** Task A: records where it runs, says it is about to block, then blocks in {@code blockingCall}. */
    private <T> Blocked<T> blockInBridgedCode(Callable<T> blockingCall) throws InterruptedException {
        Blocked<T> a = new Blocked<>();
        a.future = bridge.submit(() -> {
            a.shard = Bridge.current();
            a.thread = Thread.currentThread();
            a.inside.countDown();
            return blockingCall.call();
        });
        assertThat(a.inside.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("A started").isTrue();
        return a;
    }

    /**
     * Runs task B on the same one-shard bridge and waits for it. A is mounted on the only loop thread
     * from its latch until it blocks, so B can run only once A's virtual thread has unmounted (or
     * finished, which B's answer and the check after it exclude).
     */
    private void assertLoopRunsOthersWhileBlocked(Blocked<?> a) throws Exception {
        CompletableFuture<Optional<Shard>> bShard = new CompletableFuture<>();
        CompletableFuture<Boolean> b = bridge.submit(() -> {
            bShard.complete(Bridge.current());
            return a.future.isDone();
        });
        assertThat(b.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("A was done when B ran").isFalse();
        assertThat(bShard.get()).as("B ran on the same shard").contains(bridge.shard(0));
        assertThat(a.future).as("A is still blocked after B finished").isNotDone();
    }

    private static void assertRanBridged(Blocked<?> a) {
        assertThat(a.shard).as("A's Bridge.current()").isPresent();
        assertThat(a.thread.isVirtual()).as("A ran on a virtual thread").isTrue();
    }

    /** The release came from a thread other than the loop: A's resume went through the inbound queue. */
    private void assertResumedFromAnotherThread(ShardStats beforeRelease) {
        ShardStats after = bridge.shard(0).stats(); // after A's future completed: its resume is counted
        assertThat(after.remoteResumes() - beforeRelease.remoteResumes())
                .as("resumes through the inbound queue since the release").isPositive();
        assertThat(after.resumes() - beforeRelease.resumes()).as("resumes since the release").isPositive();
        assertThat(after.localResumes() - beforeRelease.localResumes())
                .as("resumes scheduled by the loop's own thread since the release").isZero();
    }

    /** Task A as the test sees it. Fields are written by A before {@code inside} counts down. */
    private static final class Blocked<T> {
        final CountDownLatch inside = new CountDownLatch(1);
        CompletableFuture<T> future;  // written by the test thread before it waits on inside
        Optional<Shard> shard;        // written by A before inside.countDown(); read after inside.await()
        Thread thread;                // likewise

        T result() throws Exception {
            return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
