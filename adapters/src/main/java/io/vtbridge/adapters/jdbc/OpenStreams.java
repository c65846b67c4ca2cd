package io.vtbridge.adapters.jdbc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The streams of one {@link AsyncJdbc} that have been subscribed and not ended, so that
 * {@link AsyncJdbc#close()} can end them: a stream parked for demand holds a connection and a
 * bridged thread until it is told. A stream registers before its producer is submitted; once the
 * registry is closed, registering fails, so every stream either is refused or is told.
 *
 * <p><b>Threading:</b> thread-safe: a {@link ReentrantLock} (held for a set operation, never across
 * a call out; a virtual thread waiting for it unmounts) guards the set and the closed flag.
 */
final class OpenStreams {

    private final ReentrantLock lock = new ReentrantLock();
    private final Set<RowStream<?>> open = new HashSet<>(); // guarded by lock
    private boolean closed;                                 // guarded by lock

    /** Registers {@code stream}; {@code false} (not registered) once {@link #closeAll()} has run. */
    boolean add(RowStream<?> stream) {
        lock.lock();
        try {
            return !closed && open.add(stream);
        } finally {
            lock.unlock();
        }
    }

    /** Forgets {@code stream} (it has ended). */
    void remove(RowStream<?> stream) {
        lock.lock();
        try {
            open.remove(stream);
        } finally {
            lock.unlock();
        }
    }

    /** Refuses later registrations and tells every registered stream that its owner closed. */
    void closeAll() {
        List<RowStream<?>> toClose;
        lock.lock();
        try {
            closed = true;
            toClose = new ArrayList<>(open);
        } finally {
            lock.unlock();
        }
        for (RowStream<?> stream : toClose) {
            stream.ownerClosed(); // outside the lock: it unparks a thread
        }
    }

    /** Streams open now: a snapshot. */
    int size() {
        lock.lock();
        try {
            return open.size();
        } finally {
            lock.unlock();
        }
    }
}
