package io.vtbridge.adapters.executor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * {@code invokeAll} and {@code invokeAny} over a service's {@code submit}: every task is checked
 * before any is submitted (a null element starts nothing), all of them are then submitted at once,
 * and whatever is not complete when the call gives up (timeout, interrupt, a rejection, or, for
 * {@code invokeAny}, the first success) is cancelled with {@code cancel(true)}.
 *
 * <p><b>Threading:</b> stateless; the caller's thread waits (unmounted, in bridged code).
 */
final class Invocations {

    private Invocations() {
    }

    /**
     * {@code invokeAll}; {@code timed} says whether {@code nanos} bounds the wait.
     *
     * @param submit the service's {@code submit}
     */
    static <T> List<Future<T>> invokeAll(Function<Callable<T>, CompletableFuture<T>> submit,
                                         Collection<? extends Callable<T>> tasks, boolean timed, long nanos)
            throws InterruptedException {
        List<Callable<T>> checked = checked(tasks);
        if (timed && nanos <= 0) {
            // Timed out before anything could start (as the JDK's pools: no task runs): each future cancelled.
            List<Future<T>> none = new ArrayList<>(checked.size());
            for (int i = 0; i < checked.size(); i++) {
                CompletableFuture<T> cancelled = new CompletableFuture<>();
                cancelled.cancel(false);
                none.add(cancelled);
            }
            return none;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("invokeAll: interrupted before any task was submitted");
        }
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        List<Future<T>> futures = new ArrayList<>(checked.size());
        boolean returned = false;
        try {
            for (Callable<T> task : checked) {
                futures.add(submit.apply(task));
            }
            for (Future<T> f : futures) {
                if (f.isDone()) {
                    continue;
                }
                try {
                    if (!timed) {
                        f.get();
                    } else {
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0) {
                            break; // the finally below cancels what is not done
                        }
                        f.get(remaining, TimeUnit.NANOSECONDS);
                    }
                } catch (ExecutionException | CancellationException outcomeOfTheTask) {
                    // the task's own outcome, left in its future for the caller
                } catch (TimeoutException timedOut) {
                    break;
                }
            }
            returned = true;
            return futures;
        } finally {
            // Normal return: cancels the ones a timeout left unfinished (none after an untimed wait).
            // Exception (interrupt, rejection): cancels every task submitted so far.
            for (Future<T> f : futures) {
                if (!returned || !f.isDone()) {
                    f.cancel(true);
                }
            }
        }
    }

    /** {@code invokeAny}; {@code timed} says whether {@code nanos} bounds the wait. */
    static <T> T invokeAny(Function<Callable<T>, CompletableFuture<T>> submit,
                           Collection<? extends Callable<T>> tasks, boolean timed, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<Callable<T>> checked = checked(tasks);
        if (checked.isEmpty()) {
            throw new IllegalArgumentException("tasks is empty: invokeAny needs at least one task");
        }
        if (timed && nanos <= 0) {
            throw new TimeoutException("invokeAny: timeout of " + nanos + " ns elapsed before any task could run");
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("invokeAny: interrupted before any task was submitted");
        }
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        FirstSuccess<T> first = new FirstSuccess<>(checked.size());
        List<CompletableFuture<T>> futures = new ArrayList<>(checked.size());
        try {
            for (Callable<T> task : checked) {
                CompletableFuture<T> f = submit.apply(task);
                futures.add(f);
                f.whenComplete(first);
                if (first.outcome.isDone()) {
                    break; // one succeeded already (or every one so far failed: only if this was the last)
                }
            }
            Outcome<T> outcome = timed ? first.outcome.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS) : first.outcome.get();
            if (outcome.failure != null) {
                throw new ExecutionException("invokeAny: every one of the " + checked.size() + " tasks failed; the cause is the last failure",
                        outcome.failure);
            }
            return outcome.value;
        } catch (TimeoutException timedOut) {
            throw new TimeoutException("invokeAny: no task succeeded within " + nanos + " ns");
        } finally {
            for (CompletableFuture<T> f : futures) {
                f.cancel(true); // the winner is done: no effect there
            }
        }
    }

    /** A copy of {@code tasks}, refused with a {@link NullPointerException} naming a null element. */
    private static <T> List<Callable<T>> checked(Collection<? extends Callable<T>> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        List<Callable<T>> copy = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            if (task == null) {
                throw new NullPointerException("tasks[" + copy.size() + "] is null");
            }
            copy.add(task);
        }
        return copy;
    }

    /** A task's value, or the last failure when every task failed. */
    private record Outcome<T>(T value, Throwable failure) {
    }

    /**
     * Completes {@link #outcome} with the first success, or with the last failure once every task
     * has failed. A completion hook on each task's future; runs on whichever thread completes it.
     */
    private static final class FirstSuccess<T> implements BiConsumer<T, Throwable> {

        final CompletableFuture<Outcome<T>> outcome = new CompletableFuture<>();
        private final AtomicInteger failuresLeft; // decremented by each failing task's hook; the one that reaches zero reports

        FirstSuccess(int tasks) {
            this.failuresLeft = new AtomicInteger(tasks);
        }

        @Override
        public void accept(T value, Throwable failure) {
            if (failure == null) {
                outcome.complete(new Outcome<>(value, null));
            } else if (failuresLeft.decrementAndGet() == 0) {
                outcome.complete(new Outcome<>(null, failure)); // a ServiceTask's failure is the original throwable, not wrapped
            }
        }
    }
}
