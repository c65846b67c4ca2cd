package io.vtbridge.events;

import io.vtbridge.monitor.BridgeListener;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The bridge's event thread: drains every shard's {@link EventRing} into the {@link BridgeListener},
 * and sleeps {@value #POLL_MICROS} µs when all are empty. It polls instead of being woken, so that
 * recording an event costs a loop no more than a ring write.
 *
 * <p><b>Threading:</b> {@link #start()} and {@link #stop()} by the bridge's owner (lifecycle code);
 * everything else runs on the dispatcher thread.
 */
public final class EventDispatcher {

    static final long POLL_MICROS = 500;

    private final List<EventRing> rings;
    private final BridgeListener listener;
    private final Thread thread;
    private final AtomicLong listenerErrors = new AtomicLong();
    private volatile boolean stopping;   // set by stop(); read by the dispatcher each round
    private final java.util.concurrent.ConcurrentLinkedQueue<io.vtbridge.monitor.StallReport> stalls =
            new java.util.concurrent.ConcurrentLinkedQueue<>(); // the watchdog offers (rare), the dispatcher drains

    /**
     * @param name     the thread's name
     * @param rings    one ring per shard, in shard order
     * @param listener the user's listener
     */
    public EventDispatcher(String name, List<EventRing> rings, BridgeListener listener, boolean daemon) {
        this.rings = List.copyOf(rings);
        this.listener = listener;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(daemon);
    }

    public void start() {
        thread.start();
    }

    /**
     * Delivers what the rings still hold (the loops have stopped when this is called) and ends the
     * thread. Waits for it at most {@code timeout}.
     */
    public void stop(long timeout, TimeUnit unit) throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        thread.join(Math.max(1, unit.toMillis(timeout)));
    }

    /** Hands a stall report to the listener, on this dispatcher's thread (so listener calls stay sequential). */
    public void offerStall(io.vtbridge.monitor.StallReport report) {
        stalls.offer(report);
        LockSupport.unpark(thread);
    }

    /** Throwables the listener threw (each one swallowed so the next event is delivered). */
    public long listenerErrors() {
        return listenerErrors.get();
    }

    /** The dispatcher thread. */
    public Thread thread() {
        return thread;
    }

    private void run() {
        EventRing.Consumer deliver = (shard, threadId, phase, kind, nanoTime) -> {
            try {
                listener.onEvent(shard, threadId, phase, kind, nanoTime);
            } catch (Throwable t) {
                listenerErrors.incrementAndGet();
            }
        };
        while (true) {
            boolean last = stopping; // read before the drain: after a stop, one more full round
            int n = 0;
            for (EventRing ring : rings) {
                n += ring.drain(deliver);
            }
            io.vtbridge.monitor.StallReport stall;
            while ((stall = stalls.poll()) != null) {
                n++;
                try {
                    listener.onStall(stall);
                } catch (Throwable t) {
                    listenerErrors.incrementAndGet();
                }
            }
            if (last) {
                return;
            }
            if (n == 0) {
                LockSupport.parkNanos(this, TimeUnit.MICROSECONDS.toNanos(POLL_MICROS));
                Thread.interrupted(); // nothing here answers to interrupts but stop()
            }
        }
    }
}
