package io.vtbridge.loop;

import io.vtbridge.internal.VarHandles;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The platform thread that runs a {@link ShardLoop} and carries its virtual threads. Bridged code
 * finds its loop through its carrier: {@code Thread.currentCarrierThread() instanceof LoopThread}.
 * With hand-off on, each carrier also holds its own side of the hand-off handshake
 * ({@link LoopOwnership}): its mount state and its owned-access announcement.
 *
 * <p>Each carrier also finds, as it starts, where the kernel shows its scheduling state
 * ({@link #kernelState()}; Linux only), so that the stall watchdog can tell a mount that holds the
 * carrier from a carrier that the machine gives no CPU.
 *
 * <p><b>Threading:</b> {@link #loop()} and {@link #kernelState()} from any thread; {@code retired} is this thread's own;
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
    private volatile Path stat;     // written by this thread as it starts: its /proc stat file, or null where there is none

    LoopThread(ShardLoop loop, String name, boolean daemon) {
        super(null, loop::run, name, 0, false);
        this.loop = loop;
        setDaemon(daemon);
    }

    @Override
    public void run() {
        stat = findStat();
        super.run();
    }

    /** This thread's stat file (on Linux: /proc/PID/task/TID/stat), found through /proc/thread-self; null if none. */
    private static Path findStat() {
        try {
            Path task = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "PID/task/TID"
            Path file = Path.of("/proc").resolve(task).resolve("stat");
            return Files.isReadable(file) ? file : null;
        } catch (Exception | LinkageError notLinux) {
            return null;
        }
    }

    /**
     * This carrier's scheduling state as the kernel has it now (Linux: {@code 'R'} running or
     * runnable, waiting for a CPU; {@code 'S'} or {@code 'D'} blocked in a system call; ...), or
     * {@code '?'} where it is not known (another OS, the thread not started or ended). A file read:
     * for the watchdog, never for the loop.
     */
    public char kernelState() {
        Path file = stat;
        if (file == null || !isAlive()) {
            return '?';
        }
        try {
            // "TID (name) S ...": the name may hold spaces and parentheses, the state follows the last ')'.
            String line = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
            int close = line.lastIndexOf(')');
            return close >= 0 && close + 2 < line.length() ? line.charAt(close + 2) : '?';
        } catch (Exception e) { // the thread ended meanwhile (its file is gone)
            return '?';
        }
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
