package io.vtbridge.adapters.jdbc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A subscriber for the stream tests: records what it receives and checks the Reactive Streams
 * rules it can see (onSubscribe first and once, no onNext beyond the demand, at most one terminal
 * signal, nothing after it). {@link #done} completes on {@code onComplete} and fails on
 * {@code onError}, or with an {@link AssertionError} at the first rule broken; {@link #violations}
 * lists every rule broken. Requests {@code batch} rows at
 * subscription and another {@code batch} each time a batch has arrived ({@code 0}: the test
 * requests by hand through {@link #subscription()}).
 *
 * <p><b>Threading:</b> signals come serially from the producer (onSubscribe from the subscribing
 * thread); the test thread reads through thread-safe fields.
 */
class RecordingSubscriber<T> implements Flow.Subscriber<T> {

    final List<T> items = Collections.synchronizedList(new ArrayList<>()); // only if keepItems
    final AtomicLong received = new AtomicLong();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AtomicLong requested = new AtomicLong();
    final AtomicInteger terminals = new AtomicInteger();
    private final long batch;
    private final boolean keepItems;
    private volatile Flow.Subscription subscription;
    private volatile Consumer<T> onEach = item -> { };

    RecordingSubscriber(long batch) {
        this(batch, true);
    }

    /** {@code keepItems} false: count them only (a million rows). */
    RecordingSubscriber(long batch, boolean keepItems) {
        this.batch = batch;
        this.keepItems = keepItems;
    }

    /** Runs {@code action} on the producer's thread after each item is recorded (before the next request). */
    RecordingSubscriber<T> onEach(Consumer<T> action) {
        this.onEach = action;
        return this;
    }

    /** Records a broken rule and fails {@link #done} with it, so that a waiting test stops at once. */
    private void violation(String rule) {
        violations.add(rule);
        done.completeExceptionally(new AssertionError("Reactive Streams rule broken: " + rule));
    }

    Flow.Subscription subscription() {
        return subscription;
    }

    /** Requests {@code n} more and counts them. */
    void request(long n) {
        requested.accumulateAndGet(n, (r, x) -> r + x < 0 ? Long.MAX_VALUE : r + x);
        subscription.request(n);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (subscription != null) {
            violation("onSubscribe twice");
        }
        subscription = s;
        if (batch > 0) {
            request(batch);
        }
    }

    @Override
    public void onNext(T item) {
        if (subscription == null) {
            violation("onNext before onSubscribe");
        }
        if (terminals.get() > 0) {
            violation("onNext after a terminal signal");
        }
        long n = received.incrementAndGet();
        if (keepItems) {
            items.add(item);
        }
        if (n > requested.get()) {
            violation("onNext beyond demand: item " + n + " with " + requested.get() + " requested");
        }
        onEach.accept(item);
        if (batch > 0 && n % batch == 0) {
            request(batch);
        }
    }

    @Override
    public void onError(Throwable failure) {
        if (terminals.incrementAndGet() > 1) {
            violation("second terminal signal: onError " + failure);
        }
        done.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
        if (terminals.incrementAndGet() > 1) {
            violation("second terminal signal: onComplete");
        }
        done.complete(null);
    }
}
