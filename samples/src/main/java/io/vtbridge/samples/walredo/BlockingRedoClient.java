package io.vtbridge.samples.walredo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sync mode's client: what a blocking program does with a helper process it shares. One child,
 * its pipes behind one lock; a caller takes the lock, writes its request frame, flushes, reads the
 * answer frame and lets go. One request is at the child at a time and the caller's thread is held
 * through the whole round trip, as in the walredo manager before Neon's async change.
 *
 * <p>The lock is fair by default: callers are served in arrival order. With a barging lock the
 * caller that just let go usually takes it again before a parked one wakes: most calls are quick
 * and a few wait very long (see the sample's {@code --sync-lock}).
 *
 * <p>There is no restart: once the child has ended, or a frame failed half-way, every call fails
 * with an {@link IOException} naming the child and its exit code.
 *
 * <p><b>Threading:</b> {@link #call} from any number of threads (serialised by the lock);
 * {@link #close()} once, after the callers are done.
 */
final class BlockingRedoClient implements RedoTransport, AutoCloseable {

    private static final long EXIT_WAIT_MILLIS = 2_000;

    private final Process child;
    private final ReentrantLock lock;
    private final DataOutputStream toChild;   // guarded by lock
    private final DataInputStream fromChild;  // guarded by lock
    private boolean broken;                   // guarded by lock: a frame failed, the pipes are out of step

    /** Starts the child with {@code command}; its standard error goes to this JVM's. */
    BlockingRedoClient(List<String> command, boolean fairLock) throws IOException {
        this.child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        this.lock = new ReentrantLock(fairLock);
        this.toChild = new DataOutputStream(new BufferedOutputStream(child.getOutputStream(), 1 << 16));
        this.fromChild = new DataInputStream(new BufferedInputStream(child.getInputStream(), 1 << 16));
    }

    /** The child's process id. */
    long pid() {
        return child.pid();
    }

    @Override
    public byte[] call(byte[] request) throws IOException {
        lock.lock();
        try {
            if (broken) {
                throw ended(null);
            }
            try {
                toChild.writeInt(request.length);
                toChild.write(request);
                toChild.flush();
                int length = fromChild.readInt();
                if (length < 0 || length > PageRedo.PAGE_BYTES) {
                    throw new IOException("the child announced a " + length + "-byte answer: its output is out of step");
                }
                byte[] answer = new byte[length];
                fromChild.readFully(answer);
                return answer;
            } catch (EOFException closed) {
                broken = true;
                throw ended(closed);
            } catch (IOException failed) {
                broken = true;
                throw failed;
            }
        } finally {
            lock.unlock();
        }
    }

    private IOException ended(Throwable cause) {
        String exit;
        try {
            exit = child.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS) ? "exit code " + child.exitValue() : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit = "exit code unknown";
        }
        return new IOException("walredo child pid " + child.pid() + " is gone (" + exit + "); the sync client does not restart it", cause);
    }

    /**
     * Closes the child's input (it exits at the end of its input), waits up to 2 s for it to exit,
     * then destroys it, forcibly if it does not go within 2 s more.
     */
    @Override
    public void close() throws InterruptedException {
        try {
            toChild.close();
        } catch (IOException alreadyGone) {
            // the child closed its end first: it is exiting anyway
        }
        if (!child.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            child.destroy();
            if (!child.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                child.destroyForcibly().waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        try {
            fromChild.close();
        } catch (IOException ignored) {
            // nothing left to read
        }
    }
}
