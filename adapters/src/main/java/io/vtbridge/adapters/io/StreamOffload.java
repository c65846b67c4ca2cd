package io.vtbridge.adapters.io;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeFiles.IoCall;
import io.vtbridge.adapters.io.internal.PooledCall;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Callable;

/**
 * The offload of one wrapped stream's calls ({@link BridgeInputStream}, {@link BridgeOutputStream}):
 * in bridged code each call runs on the bridge's blocking pool through {@link Bridge#blocking}
 * (kind BLOCKING) while the caller waits unmounted; elsewhere the stream calls straight through and
 * never reaches this class. What it adds to {@code Bridge.blocking}: the wrapped stream's
 * {@link IOException} comes out unchanged, an interrupt becomes an {@link InterruptedIOException}
 * with the interrupt status set again, and a call the caller stopped waiting for while it was
 * already running (a {@link PooledCall} it could not abandon: the caller was interrupted, or the
 * pool ended the wait, as a bridge shutting down may) keeps every later call off the stream until it
 * ends, so that two threads never use the stream at once.
 *
 * <p>A close is a pooled call like the others, claimed the same way: if its caller stops waiting
 * before it starts, the caller closes the stream itself; once it has started, it is the close, and
 * neither that caller nor a later {@code close()} closes the stream again while it runs.
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

    private final Object stream;      // the wrapper, for messages
    private final Pool pool;
    private PooledCall straggler;     // the stream's current user only: a started call its caller stopped waiting for, or null
    private boolean stragglerCloses;  // the stream's current user only: whether that straggler is a close

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
        if (!stragglerRunning()) {
            return;
        }
        throw new IOException(operation + " refused on " + stream + ": an earlier " + (stragglerCloses ? "close" : "call")
                + ", whose caller stopped waiting for it (interrupted, or the pool ended the wait) while it ran on the"
                + " blocking pool, is still running; " + (stragglerCloses ? "the stream is being closed" : "close the stream or try again later"));
    }

    /** Whether a call abandoned earlier still runs; forgets it once it has ended (the stream is this thread's again). */
    private boolean stragglerRunning() {
        PooledCall earlier = straggler;
        if (earlier == null) {
            return false;
        }
        if (earlier.isRunning()) {
            return true;
        }
        straggler = null;
        return false;
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
        } catch (InterruptedException e) {
            throw interrupted(operation, pooled, e);
        } catch (IOException | RuntimeException | Error thrownByOpOrPool) {
            // The op's own failure: it has ended. The pool's (full, shutting down, the wait cancelled):
            // the op may not have started (it never will now), or may still run.
            keepIfStillRunning(pooled, false);
            throw thrownByOpOrPool;
        } catch (Exception impossible) {
            // An IoCall throws IOException or unchecked exceptions only; the offload adds InterruptedException.
            throw new IllegalStateException("unexpected checked exception from " + operation + " of " + stream, impossible);
        }
    }

    /**
     * Closes {@code target} on the pool in bridged code. If the close cannot start there (the pool
     * is full or shutting down, or the caller stops waiting, interrupted, before it starts) it closes
     * it on the calling thread instead, so a close is never lost. If the caller stops waiting after
     * the close started, the close goes on on the pool and is not repeated here; the caller returns
     * (with its interrupt status set, if interrupted). Not refused by a running straggler: a close is
     * how a stuck read or write is ended; but while an earlier close still runs, this one returns at
     * once.
     */
    void close(Closeable target) throws IOException {
        if (stragglerRunning() && stragglerCloses) {
            return; // an earlier close is still under way on the pool
        }
        PooledCall pooled = new PooledCall();
        try {
            pool.blocking(() -> runClaimed(pooled, () -> {
                target.close();
                return null;
            }));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // kept for the caller
            closeUnlessStarted(pooled, target);
        } catch (IOException | RuntimeException | Error thrownByCloseOrPool) {
            if (pooled.abandon()) {
                target.close(); // never started (the pool refused it, or ended the wait first): close here
            } else if (!keepIfStillRunning(pooled, true)) {
                throw thrownByCloseOrPool; // the close ran: this is its own outcome
            }
        } catch (Exception impossible) {
            throw new IllegalStateException("unexpected checked exception from close of " + stream, impossible);
        }
    }

    /** After an interrupted wait: closes {@code target} here if the pooled close never started; else leaves it to the pool. */
    private void closeUnlessStarted(PooledCall pooled, Closeable target) throws IOException {
        if (pooled.abandon()) {
            target.close();
        } else {
            keepIfStillRunning(pooled, true);
        }
    }

    /**
     * After the caller stopped waiting for {@code pooled}: makes sure it never starts, or, if it
     * started and still runs, remembers it so that later calls keep off the stream until it ends.
     *
     * @return whether it still runs
     */
    private boolean keepIfStillRunning(PooledCall pooled, boolean closes) {
        if (pooled.abandon() || !pooled.isRunning()) {
            return false;
        }
        straggler = pooled;
        stragglerCloses = closes;
        return true;
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
            keepIfStillRunning(pooled, false);
            what = "it had started and was interrupted on its pool thread; until it ends, other calls on the stream"
                    + " are refused (close is not)";
        }
        InterruptedIOException interrupted = new InterruptedIOException(
                "interrupted while waiting for " + operation + " of " + stream + " on the blocking pool; " + what);
        interrupted.initCause(cause);
        return interrupted;
    }
}
