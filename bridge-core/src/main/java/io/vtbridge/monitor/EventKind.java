package io.vtbridge.monitor;

import io.vtbridge.Bridge;
import io.vtbridge.BridgeFiles;
import io.vtbridge.BridgeLock;
import io.vtbridge.BridgeReadWriteLock;
import io.vtbridge.BridgeSemaphore;

/**
 * What an intercepted call was waiting for. Every intercepted call is a {@link EventPhase#REQUEST},
 * then, unless it took a fast path, a {@link EventPhase#SUSPEND} and a {@link EventPhase#RESUME}.
 */
public enum EventKind {
    /** A {@link BridgeLock}, {@link BridgeReadWriteLock} or {@link BridgeSemaphore} acquire. */
    LOCK,
    /** File I/O through {@link BridgeFiles} (and the adapters' {@code java.nio.file} provider), on the blocking pool. */
    FILE,
    /** {@link Bridge#sleep}: a timer on the shard's loop. */
    SLEEP,
    /** {@link Bridge#await}: waiting for a {@code CompletionStage}. */
    AWAIT,
    /** {@link Bridge#compute}: work on the bounded CPU pool. */
    CPU,
    /** {@link Bridge#blocking}: work on the blocking pool. */
    BLOCKING,
    /**
     * A park the JDK did by itself ({@code ReentrantLock}, {@code BlockingQueue}, {@code Thread.sleep},
     * sockets, {@code CompletableFuture.get}...). vtbridge sees only that the virtual thread unmounted
     * and was later resumed, so PARK has no REQUEST: it is a SUSPEND and a RESUME. A plain
     * {@code Thread.yield()} in bridged code is counted here too.
     */
    PARK,
    /** A yield vtbridge made: a virtual thread spent its coop budget of fast paths in one run. */
    YIELD,
    /**
     * A thread that held its shard longer than the turn slice in one run and then yielded instead of
     * blocking, moved to the CPU pool until it blocks again ({@code BridgeBuilder.moveHogs}). The loop
     * records one REQUEST per move; there is no SUSPEND or RESUME of this kind.
     */
    HOG
}
