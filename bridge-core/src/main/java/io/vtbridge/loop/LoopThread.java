package io.vtbridge.loop;

/**
 * The platform thread that runs a {@link ShardLoop} and carries its virtual threads. Bridged code
 * finds its loop through its carrier: {@code Thread.currentCarrierThread() instanceof LoopThread}.
 */
public final class LoopThread extends Thread {

    private final ShardLoop loop;

    LoopThread(ShardLoop loop, String name, boolean daemon) {
        super(null, loop::run, name, 0, false);
        this.loop = loop;
        setDaemon(daemon);
    }

    /** The loop this thread runs. */
    public ShardLoop loop() {
        return loop;
    }
}
