package io.vtbridge.samples.walredo;

import io.vtbridge.adapters.io.ProcessChannel;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;

/**
 * The async mode's other kind of caller ({@code --async-callers futures}): a {@link RedoCaller}
 * driven by {@link ProcessChannel#request} alone, without a thread of its own. Each answer's
 * completion, on the channel's reader thread, checks the answer, plans the next request and sends
 * it. No thread hand-off beyond the channel's own, but every caller's checking and planning runs on
 * that one reader thread, between reading two answers.
 *
 * <p><b>Threading:</b> one step at a time per caller, each after the previous answer completed
 * (the future's completion orders them); the steps run on the channel's reader thread, or on the
 * thread that started the chain.
 */
final class ChainedCaller {

    private final RedoCaller caller;
    private final ProcessChannel channel;
    private final long deadline;
    private final CompletableFuture<RedoCaller> done = new CompletableFuture<>();

    private ChainedCaller(RedoCaller caller, ProcessChannel channel, long deadline) {
        this.caller = caller;
        this.channel = channel;
        this.deadline = deadline;
    }

    /** Starts the chain on the calling thread; the future completes when the caller's loop ends. */
    static CompletableFuture<RedoCaller> start(RedoCaller caller, ProcessChannel channel, long deadline) {
        ChainedCaller chain = new ChainedCaller(caller, channel, deadline);
        chain.guarded(chain::next);
        return chain.done;
    }

    /** Runs {@code step}; anything it throws ends the chain through its future, rather than vanish in a stage. */
    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | Error unexpected) {
            done.completeExceptionally(unexpected);
        }
    }

    private void next() {
        while (System.nanoTime() < deadline) {
            byte[] request = caller.plan();
            long start = System.nanoTime();
            CompletableFuture<byte[]> answer = channel.request(request);
            if (!answer.isDone()) {
                answer.whenComplete((value, failure) -> guarded(() -> {
                    if (finish(value, failure, start)) {
                        next();
                    }
                }));
                return;
            }
            boolean ok = answer.state() == Future.State.SUCCESS;
            if (!finish(ok ? answer.resultNow() : null, ok ? null : failureOf(answer), start)) {
                return;
            }
        }
        done.complete(caller);
    }

    private boolean finish(byte[] value, Throwable failure, long start) {
        if (failure != null) {
            caller.failed(failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure);
            done.complete(caller);
            return false;
        }
        caller.answered(value, System.nanoTime() - start);
        return true;
    }

    private static Throwable failureOf(CompletableFuture<byte[]> answer) {
        return answer.state() == Future.State.CANCELLED ? new CancellationException("request cancelled") : answer.exceptionNow();
    }
}
