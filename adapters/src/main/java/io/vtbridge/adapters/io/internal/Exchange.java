package io.vtbridge.adapters.io.internal;

import io.vtbridge.internal.VarHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * One request of a process channel and the future of its response, as returned to the caller.
 *
 * <p>Where it is, in order: the channel's request queue (accepted, not yet taken by the writer),
 * then the child's {@link InFlight} queue (the writer adds it there <em>before</em> writing its frame,
 * so a fast child's answer always finds it), then out of the channel. The caller ends its interest by
 * completing the future itself ({@code cancel}, {@code orTimeout}, {@code completeExceptionally}):
 * that never moves the exchange. The writer skips an exchange that is already complete when it takes
 * it (never written); an exchange written before its caller gave up keeps its place in
 * {@link InFlight}, and its response is read and discarded there, so the queue stays matched to the
 * child's answers.
 *
 * <p><b>Threading:</b> any thread may complete the future (one completion wins, as for any
 * {@code CompletableFuture}); {@link #payload()} is read by the writer thread; {@link #release()} by
 * whichever thread takes the exchange out of the channel, idempotent by a CAS.
 */
public final class Exchange extends CompletableFuture<byte[]> {

    private static final VarHandle RELEASED = VarHandles.field(MethodHandles.lookup(), "released", boolean.class);

    private final byte[] payload;
    private final Slots slots;
    private volatile boolean released; // false until the first release(); set once by CAS

    /**
     * A request holding one of {@code slots}, already taken by the caller.
     *
     * @param payload the request's bytes, written as one frame
     * @param slots   where the slot goes back on {@link #release()}
     */
    public Exchange(byte[] payload, Slots slots) {
        this.payload = payload;
        this.slots = slots;
    }

    /** The request's bytes. */
    public byte[] payload() {
        return payload;
    }

    /**
     * Gives the slot back: the exchange has left the channel (its response was read, it was dropped
     * unwritten, or it was failed). Only the first call releases; later calls do nothing.
     *
     * @return whether this call released the slot
     */
    public boolean release() {
        if (!RELEASED.compareAndSet(this, false, true)) {
            return false;
        }
        slots.release();
        return true;
    }

    /** Whether {@link #release()} has run. */
    public boolean isReleased() {
        return released;
    }
}
