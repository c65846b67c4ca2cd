package io.vtbridge.adapters.io;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeFiles.IoCall;
import io.vtbridge.adapters.io.internal.PooledCall;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * The offload of one wrapped stream's calls ({@link BridgeInputStream}, {@link BridgeOutputStream}):
 * in bridged code each call runs on the bridge's blocking pool through {@link Bridge#blocking}
 * (kind BLOCKING) while the caller waits unmounted; elsewhere the stream calls straight through and
 * never reaches this class. What it adds to {@code Bridge.blocking}: the wrapped stream's
 * {@link IOException} comes out unchanged, an interrupt becomes an {@link InterruptedIOException}
 * with the interrupt status set again, and a call the caller gave up on while it was already
 * running (a {@link PooledCall} it could not abandon) keeps every later call off the stream until it
 * ends, so that two threads never use the stream at once.
 *
 * <p><b>Threading:</b> one instance per wrapper, used by the thread using the stream (one at a time,
 * as any stream); the pooled calls run on pool threads, ordered before the caller's return by the
 * future it waits on.
 */
final class StreamOffload {

    /** How a call reaches the blocking pool: {@link Bridge#blocking}, or a stand-in in tests. */
    interface Pool {
        /** Runs {@code call} on the pool while the caller waits, as {@link Bridge#blocking} does. */
        <T> T blocking(Callable<T> call) throws Exception;
    }

    /** The bridge's blocking pool, the pool of every wrapper. */
    static final Pool BRIDGE = Bridge::blocking;

    private final Object stream;   // the wrapper, for messages
    private final Pool pool;
    private PooledCall straggler;  // the stream's current user only: a started call its caller gave up on, or null

    StreamOffload(Object stream) {
        this(stream, BRIDGE);
    }

    StreamOffload(Object stream, Pool pool) {
        this.stream = stream;
        this.pool = pool;
    }

    /** Whether the calling thread is bridged code, whose calls are worth moving off its shard. */
    static boolean bridged() {
        return Bridge.current().isPresent();
    }

    /**
     * Throws if a call abandoned earlier is still running on the pool. Every call but {@code close}
     * checks this first, bridged or not.
     */
    void checkNoStraggler(String operation) throws IOException {
        PooledCall earlier = straggler;
        if (earlier == null) {
            return;
        }
        if (earlier.isRunning()) {
            throw new IOException(operation + " refused on " + stream + ": an earlier call, whose caller was interrupted"
                    + " while it ran on the blocking pool, is still running; close the stream or try again later");
        }
        straggler = null; // it ended: the stream is this thread's again
    }

    /**
     * Runs {@code op} on the blocking pool while the bridged caller waits unmounted, and returns its
     * value or throws what it threw, unchanged.
     *
     * @param operation names the call in messages ({@code "read"})
     * @throws InterruptedIOException if the caller is interrupted before or while it waits
     */
    <T> T offload(String operation, IoCall<T> op) throws IOException {
        checkNoStraggler(operation);
        PooledCall pooled = new PooledCall();
        try {
            return pool.blocking(() -> runClaimed(pooled, op));
        } catch (IOException | RuntimeException thrownByOpOrPool) {
            throw thrownByOpOrPool;
        } catch (InterruptedException e) {
            throw interrupted(operation, pooled, e);
        } catch (Exception impossible) {
            // An IoCall throws IOException or unchecked exceptions only; the offload adds InterruptedException.
            throw new IllegalStateException("unexpected checked exception from " + operation + " of " + stream, impossible);
        }
    }

    /**
     * Closes {@code target} on the pool in bridged code; if that cannot be done (the caller is
     * interrupted while it waits, the pool is full or shutting down) it closes it on the calling
     * thread instead, so a close never leaks the stream. Not refused by a running straggler: a close
     * is how a stuck read or write is ended.
     */
    void close(Closeable target) throws IOException {
        try {
            pool.blocking(() -> {
                target.close();
                return null;
            });
        } catch (RejectedExecutionException refusedByThePool) {
            target.close(); // the pool is full or shutting down: close here
        } catch (IOException | RuntimeException thrownByClose) {
            throw thrownByClose;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // kept for the caller; the close still happens, here
            target.close();
        } catch (Exception impossible) {
            throw new IllegalStateException("unexpected checked exception from close of " + stream, impossible);
        }
    }

    private static <T> T runClaimed(PooledCall pooled, IoCall<T> op) throws IOException {
        if (!pooled.start()) {
            return null; // abandoned by its caller before it started: never runs, nobody reads this
        }
        try {
            return op.call();
        } finally {
            pooled.finish();
        }
    }

    private InterruptedIOException interrupted(String operation, PooledCall pooled, InterruptedException cause) {
        Thread.currentThread().interrupt(); // the wait cleared it; the caller may still want it
        String what;
        if (pooled.abandon()) {
            what = "it never ran";
        } else {
            straggler = pooled;
            what = "it had started and was interrupted on its pool thread; until it ends, other calls on the stream"
                    + " are refused (close is not)";
        }
        InterruptedIOException interrupted = new InterruptedIOException(
                "interrupted while waiting for " + operation + " of " + stream + " on the blocking pool; " + what);
        interrupted.initCause(cause);
        return interrupted;
    }
}
