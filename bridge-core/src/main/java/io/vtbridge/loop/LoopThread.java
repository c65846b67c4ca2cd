package io.vtbridge.loop;

import io.vtbridge.internal.VarHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The platform thread that runs a {@link ShardLoop} and carries its virtual threads. Bridged code
 * finds its loop through its carrier: {@code Thread.currentCarrierThread() instanceof LoopThread}.
 * With hand-off on, each carrier also holds its own side of the hand-off handshake
 * ({@link LoopOwnership}): its mount state and its owned-access announcement.
 *
 * <p><b>Threading:</b> {@link #loop()} from any thread; {@code retired} is this thread's own;
 * {@code mountState} is CAS'd by this thread and the stall watchdog; {@code inOwnedOp} is written
 * by code on this carrier and read by the watchdog.
 */
public final class LoopThread extends Thread implements io.vtbridge.internal.NonBlockingThread {

    private static final VarHandle IN_OWNED_OP = VarHandles.field(MethodHandles.lookup(), "inOwnedOp", int.class);
    static final VarHandle MOUNT_STATE = VarHandles.field(MethodHandles.lookup(), "mountState", int.class);

    private final ShardLoop loop;
    boolean retired;          // this thread's own: it lost the loop to a hand-off and must leave it
    private volatile int inOwnedOp; // HAND_OFF mode: 1 while code on this carrier touches loop-owned state (see LoopOwnership.enterOwned)
    volatile int mountState;        // HAND_OFF mode, this carrier's own: IDLE / MOUNTED (this thread) / TAKEN (the watchdog, CAS); see LoopOwnership.handOff

    LoopThread(ShardLoop loop, String name, boolean daemon) {
        super(null, loop::run, name, 0, false);
        this.loop = loop;
        setDaemon(daemon);
    }

    /** Announces an access to loop-owned state from this carrier (volatile store: the Dekker side of enterOwned). */
    void beginOwnedOp() {
        IN_OWNED_OP.setVolatile(this, 1);
    }

    /** Ends it; pairs with the volatile read in {@link #inOwnedOp()}. */
    void endOwnedOp() {
        IN_OWNED_OP.setRelease(this, 0);
    }

    /** Whether code on this carrier is inside an access to loop-owned state. */
    boolean inOwnedOp() {
        return inOwnedOp != 0;
    }

    /** The loop this thread runs. */
    public ShardLoop loop() {
        return loop;
    }
}
