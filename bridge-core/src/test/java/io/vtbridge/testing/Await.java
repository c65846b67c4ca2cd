package io.vtbridge.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Bounded waits for tests. Every wait gives up after {@link #WAIT_SECONDS} and fails with an
 * {@link AssertionError} that names what it waited for and how long: a sanity bound against a hang,
 * never a timing assertion (a correct run is done long before it). Tests wait for observable state
 * (a queue length, a counter, a latch, a thread's state) through these methods, never by sleeping.
 */
public final class Await {

    /** The bound of every wait here, in seconds. */
    public static final long WAIT_SECONDS = 10;

    /** {@link #WAIT_SECONDS} as a duration. */
    public static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);

    private Await() {
    }

    /**
     * Returns once {@code condition} holds (polled: briefly by yielding, then every millisecond);
     * fails naming {@code what} after {@link #WAIT_SECONDS}.
     */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        poll(what, condition, polls -> {
            if (polls < 100) {
                Thread.yield();
            } else {
                Thread.sleep(1);
            }
        });
    }

    /**
     * {@link #until} for a hot wait: polls {@code condition} with {@link Thread#yield()} only, never
     * sleeping, for a thread that must stay right behind another (a canceller behind a submitter, a
     * producer backing off a full queue). Still bounded: fails naming {@code what} after
     * {@link #WAIT_SECONDS}. {@code condition} may act (an offer that may be refused) and is then
     * retried until it succeeds.
     */
    public static void spin(String what, BooleanSupplier condition) {
        pollHot(what, condition, Thread::yield);
    }

    /**
     * {@link #spin} without giving up the processor: polls with {@link Thread#onSpinWait()} only. In
     * bridged code this keeps the shard's carrier, so nothing else runs on that shard (no other
     * task, no loop timer) until {@code condition} holds: for a test that must keep a waiter's loop
     * timer on that shard from firing while it sets up the rest. Bounded like every wait here.
     */
    public static void spinOnCarrier(String what, BooleanSupplier condition) {
        pollHot(what, condition, Thread::onSpinWait);
    }

    /** What a poll does between two looks at the condition; {@code polls} looks so far. */
    private interface Pause {
        void after(int polls) throws InterruptedException;
    }

    private static void poll(String what, BooleanSupplier condition, Pause pause) throws InterruptedException {
        long start = System.nanoTime();
        for (int polls = 0; !condition.getAsBoolean(); polls++) {
            if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(WAIT_SECONDS)) {
                throw timedOut("until " + what);
            }
            pause.after(polls);
        }
    }

    private static void pollHot(String what, BooleanSupplier condition, Runnable pause) {
        try {
            poll(what, condition, polls -> pause.run());
        } catch (InterruptedException notThrown) { // a hot pause never sleeps
            throw new AssertionError(notThrown);
        }
    }

    /**
     * The future's value within {@link #WAIT_SECONDS}; what the task threw is rethrown as it is (an
     * assertion in a task fails the test with its own message).
     */
    public static <T> T result(Future<T> future) throws Exception {
        return result("the task's result", future);
    }

    /** {@link #result(Future)}, naming {@code what} the future stands for if it does not complete. */
    public static <T> T result(String what, Future<T> future) throws Exception {
        try {
            return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw timedOut("for " + what, e);
        }
    }

    /** Returns once {@code latch} is open; fails naming {@code what} after {@link #WAIT_SECONDS}. */
    public static void latch(String what, CountDownLatch latch) throws InterruptedException {
        if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw timedOut("until " + what + " (latch count still " + latch.getCount() + ")");
        }
    }

    /** Returns once {@code thread} has ended; fails naming {@code what} and the thread's state after {@link #WAIT_SECONDS}. */
    public static void join(String what, Thread thread) throws InterruptedException {
        if (!thread.join(WAIT)) {
            throw timedOut("until " + what + " (" + describe(thread) + ")");
        }
    }

    /**
     * Returns once {@code thread} is in {@code state}: {@link Thread.State#WAITING} or
     * {@link Thread.State#TIMED_WAITING} for "it has parked", {@link Thread.State#BLOCKED} for "it
     * waits for a monitor". Fails naming the thread, the state and the state last seen.
     */
    public static void state(Thread thread, Thread.State state) throws InterruptedException {
        until(thread + " is " + state, () -> thread.getState() == state, thread);
    }

    /**
     * Returns once {@code thread} is in {@code state} with {@code frame} on its stack: a method name
     * ({@code "readFeed"}) or a class and method ({@code "SocketInputStream.read"}, matched at the end
     * of the frame's qualified name). For "it has parked in that call", not merely somewhere.
     */
    public static void state(Thread thread, Thread.State state, String frame) throws InterruptedException {
        until(thread + " is " + state + " in " + frame,
                () -> thread.getState() == state && Arrays.stream(thread.getStackTrace()).anyMatch(f -> matches(f, frame)),
                thread);
    }

    /** Returns once {@code thread} has {@code frame} on its stack (as {@link #state}), in whatever state. */
    public static void frame(Thread thread, String frame) throws InterruptedException {
        until(thread + " is in " + frame, () -> Arrays.stream(thread.getStackTrace()).anyMatch(f -> matches(f, frame)), thread);
    }

    private static void until(String what, BooleanSupplier condition, Thread thread) throws InterruptedException {
        try {
            until(what, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + describe(thread));
        }
    }

    private static boolean matches(StackTraceElement f, String frame) {
        String qualified = f.getClassName() + "." + f.getMethodName();
        return f.getMethodName().equals(frame) || qualified.endsWith("." + frame) || qualified.endsWith("$" + frame);
    }

    private static String describe(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        StringBuilder sb = new StringBuilder().append(thread.getState());
        for (int i = 0; i < Math.min(stack.length, 8); i++) {
            sb.append(i == 0 ? " at " : " < ").append(stack[i]);
        }
        return sb.toString();
    }

    private static AssertionError timedOut(String what) {
        return new AssertionError("timed out after " + WAIT_SECONDS + " s waiting " + what);
    }

    private static AssertionError timedOut(String what, Throwable cause) {
        return new AssertionError("timed out after " + WAIT_SECONDS + " s waiting " + what, cause);
    }
}
