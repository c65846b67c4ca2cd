package io.vtbridge;

import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a submitted task observes on a reused thread ({@link BridgeBuilder#reuseThreads}): on a one-shard
 * bridge, tasks submitted one after another run on the same runner (each test checks that it got the
 * same {@link Thread} object, so that what it checks is the reset between two tasks of one thread,
 * not a fresh thread), and each sees the thread as a fresh one would be: no thread locals, no
 * interrupt, no name, no uncaught-exception handler of its own, the first context class loader. A
 * {@code cancel(true)} interrupts its own task only. Latency-lane tasks and bridges without reuse
 * give each task its own thread; a task that blocks leaves the next tasks to another runner.
 *
 * <p><b>Threading:</b> JUnit's; each task hands what it saw back through its future (or, for a
 * cancelled task, an atomic reference read after a later task on the same thread has run).
 */
@Timeout(60)
class ThreadReuseTest {

    @TestBridge(shards = 1)
    private Bridge bridge;

    private static final ThreadLocal<String> PLAIN = new ThreadLocal<>();
    private static final InheritableThreadLocal<String> INHERITABLE = new InheritableThreadLocal<>();

    /** What one task saw of its thread. */
    private record Seen(Thread thread, String plain, String inheritable, boolean interrupted, String name,
                        Thread.UncaughtExceptionHandler handler, ClassLoader loader, boolean bridged) {
    }

    /** What the current thread looks like to a task. */
    private static Seen look() {
        Thread t = Thread.currentThread();
        return new Seen(t, PLAIN.get(), INHERITABLE.get(), t.isInterrupted(), t.getName(), t.getUncaughtExceptionHandler(),
                t.getContextClassLoader(), Bridge.current().isPresent());
    }

    /** Runs {@code first}, waits for it, then returns what a second task saw; checks both ran on one thread. */
    private Seen afterOnTheSameThread(Runnable first) throws Exception {
        Thread firstThread = Await.result("the first task", bridge.submit(() -> {
            first.run();
            return Thread.currentThread();
        }));
        Seen next = Await.result("the next task", bridge.submit(ThreadReuseTest::look));
        assertThat(next.thread()).as("the next task's thread (a reused runner)").isSameAs(firstThread);
        return next;
    }

    @Test
    void aTaskRunsOnABridgedVirtualThread() throws Exception {
        Seen seen = Await.result(bridge.submit(ThreadReuseTest::look));
        assertThat(seen.thread().isVirtual()).as("virtual").isTrue();
        assertThat(seen.bridged()).as("Bridge.current() present").isTrue();
        Seen again = afterOnTheSameThread(() -> { });
        assertThat(again.bridged()).as("Bridge.current() present on the reused runner").isTrue();
    }

    @Test
    void threadLocalsSetByATaskAreGoneInTheNext() throws Exception {
        Seen next = afterOnTheSameThread(() -> {
            PLAIN.set("left by the first task");
            INHERITABLE.set("left by the first task too");
        });
        assertThat(next.plain()).as("a ThreadLocal set by the previous task").isNull();
        assertThat(next.inheritable()).as("an InheritableThreadLocal set by the previous task").isNull();
    }

    @Test
    void anInterruptATaskLeavesIsClearInTheNext() throws Exception {
        Seen next = afterOnTheSameThread(() -> Thread.currentThread().interrupt());
        assertThat(next.interrupted()).as("the interrupt status the previous task left").isFalse();
    }

    @Test
    void aNameSetByATaskIsGoneInTheNext() throws Exception {
        Seen next = afterOnTheSameThread(() -> Thread.currentThread().setName("renamed by the first task"));
        assertThat(next.name()).as("the name the previous task set").isEmpty();
    }

    @Test
    void anUncaughtHandlerSetByATaskIsGoneInTheNext() throws Exception {
        Thread.UncaughtExceptionHandler set = (t, e) -> { };
        AtomicReference<Thread.UncaughtExceptionHandler> before = new AtomicReference<>();
        Seen next = afterOnTheSameThread(() -> {
            before.set(Thread.currentThread().getUncaughtExceptionHandler());
            Thread.currentThread().setUncaughtExceptionHandler(set);
        });
        assertThat(next.handler()).as("the handler the previous task set").isNotSameAs(set)
                .as("the handler a task sees when none was set (its thread group)").isSameAs(before.get());
    }

    @Test
    void aContextClassLoaderChangedByATaskIsRestored() throws Exception {
        AtomicReference<ClassLoader> before = new AtomicReference<>();
        try (URLClassLoader other = new URLClassLoader("set-by-a-task", new URL[0], null)) {
            Seen next = afterOnTheSameThread(() -> {
                before.set(Thread.currentThread().getContextClassLoader());
                Thread.currentThread().setContextClassLoader(other);
            });
            assertThat(next.loader()).as("the context class loader the previous task set").isNotSameAs(other)
                    .isSameAs(before.get());
        }
    }

    /**
     * A submitter's inheritable thread locals: a runner is not created by the submitter, so it copies
     * none of them (documented on {@link BridgeBuilder#reuseThreads}), while a thread of its own does.
     */
    @Test
    void aRunnerDoesNotCopyTheSubmittersInheritableThreadLocals() throws Exception {
        INHERITABLE.set("the submitter's");
        try {
            assertThat(Await.result(bridge.submit(INHERITABLE::get))).as("on a runner").isNull();
            try (Bridge own = Bridge.builder().shards(1).reuseThreads(false).closeTimeout(Duration.ofSeconds(2)).build()) {
                assertThat(Await.result(own.submit(INHERITABLE::get))).as("on a thread of its own").isEqualTo("the submitter's");
            }
        } finally {
            INHERITABLE.remove();
        }
    }

    /**
     * {@code cancel(true)} of a running task interrupts that task, and its interrupt does not reach
     * the next task on the same runner. The first task spins on its carrier (it never unmounts, so the
     * runner stays the loop's active one and takes the next task itself) until it sees the interrupt.
     */
    @Test
    void cancelInterruptsTheRunningTaskAndNotTheNext() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Thread> firstThread = new AtomicReference<>();
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        CompletableFuture<Object> first = bridge.submit(() -> {
            firstThread.set(Thread.currentThread());
            started.countDown();
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.WAIT_SECONDS);
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() - giveUp < 0) {
                Thread.onSpinWait();
            }
            sawInterrupt.set(Thread.currentThread().isInterrupted());
            return null;
        });
        Await.latch("the first task started", started);
        assertThat(first.cancel(true)).as("cancel(true) of the running task").isTrue();
        Seen next = Await.result("the next task", bridge.submit(ThreadReuseTest::look));
        assertThat(next.thread()).as("the next task's thread (a reused runner)").isSameAs(firstThread.get());
        assertThat(sawInterrupt.get()).as("the cancelled task saw its interrupt").isTrue();
        assertThat(next.interrupted()).as("the next task's interrupt status").isFalse();
        assertThatThrownBy(first::join).isInstanceOf(CancellationException.class);
    }

    /**
     * An interrupt that reaches a runner between two tasks (from code that kept a reference to the
     * thread of a task that has ended, as a timeout helper might) is for no task: the runner must
     * still park while idle, and the next task must run, on the same runner, with its interrupt
     * status clear.
     */
    @Test
    void aStrayInterruptOfAnIdleRunnerIsHarmless() throws Exception {
        Thread runner = Await.result("the first task", bridge.submit(Thread::currentThread));
        Await.state(runner, Thread.State.WAITING, "TaskRunners.take"); // idle, parked between tasks
        runner.interrupt();
        Seen next = Await.result("the task after the stray interrupt", bridge.submit(ThreadReuseTest::look));
        assertThat(next.thread()).as("the next task's thread (a reused runner)").isSameAs(runner);
        assertThat(next.interrupted()).as("the next task's interrupt status").isFalse();
    }

    @Test
    void withoutReuseEachTaskHasItsOwnThread() throws Exception {
        try (Bridge own = Bridge.builder().shards(1).reuseThreads(false).closeTimeout(Duration.ofSeconds(2)).build()) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                threads.add(Await.result(own.submit(Thread::currentThread)));
            }
            assertThat(threads).as("the threads of 5 tasks run one after another").doesNotHaveDuplicates();
        }
    }

    @Test
    void latencyLaneTasksHaveThreadsOfTheirOwn() throws Exception {
        Thread runner = Await.result(bridge.submit(Thread::currentThread));
        Thread lane1 = Await.result(bridge.submit(Priority.HIGH, Thread::currentThread));
        Thread lane2 = Await.result(bridge.submit(Priority.HIGH, Thread::currentThread));
        Thread again = Await.result(bridge.submit(Thread::currentThread));
        assertThat(lane1).as("a latency-lane task's thread").isNotSameAs(runner).isNotSameAs(lane2);
        assertThat(lane2).as("the next latency-lane task's thread").isNotSameAs(runner);
        assertThat(again).as("the next plain task's thread (the runner, still idle)").isSameAs(runner);
    }

    /** A task suspended in {@link Bridge#await} keeps its runner; the next tasks run on another one meanwhile. */
    @Test
    void aTaskBlockedInAwaitDoesNotHoldUpTheNext() throws Exception {
        CompletableFuture<String> gate = new CompletableFuture<>();
        AtomicReference<Thread> blockedThread = new AtomicReference<>();
        CompletableFuture<String> blocked = bridge.submit(() -> {
            blockedThread.set(Thread.currentThread());
            return Bridge.await(gate);
        });
        Await.until("the blocking task started", () -> blockedThread.get() != null);
        Await.state(blockedThread.get(), Thread.State.WAITING);
        assertNextTasksRunElsewhere(blockedThread.get());
        assertThat(blocked).as("the blocked task, still waiting").isNotDone();
        gate.complete("released");
        assertThat(Await.result(blocked)).isEqualTo("released");
    }

    /** The same with a {@link BridgeLock} held by another thread. */
    @Test
    void aTaskWaitingForALockDoesNotHoldUpTheNext() throws Exception {
        BridgeLock lock = new BridgeLock();
        AtomicReference<Thread> blockedThread = new AtomicReference<>();
        lock.lock();
        CompletableFuture<String> blocked;
        try {
            blocked = bridge.submit(() -> {
                blockedThread.set(Thread.currentThread());
                lock.lock();
                try {
                    return "locked";
                } finally {
                    lock.unlock();
                }
            });
            Await.until("the blocking task started", () -> blockedThread.get() != null);
            Await.state(blockedThread.get(), Thread.State.WAITING);
            assertNextTasksRunElsewhere(blockedThread.get());
            assertThat(blocked).as("the task waiting for the lock").isNotDone();
        } finally {
            lock.unlock();
        }
        assertThat(Await.result(blocked)).isEqualTo("locked");
    }

    /** Ten tasks complete while {@code blocked} is suspended inside a task, none of them on its thread. */
    private void assertNextTasksRunElsewhere(Thread blocked) throws Exception {
        List<CompletableFuture<Thread>> next = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            next.add(bridge.submit(Thread::currentThread));
        }
        for (CompletableFuture<Thread> f : next) {
            assertThat(Await.result("a task behind the blocked one", f)).as("its thread").isNotSameAs(blocked);
        }
    }
}
