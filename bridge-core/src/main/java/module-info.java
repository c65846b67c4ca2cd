/**
 * vtbridge: run blocking, synchronous code inside an event-loop process without freezing the loop,
 * and call it from asynchronous code with {@link java.util.concurrent.CompletableFuture}s.
 *
 * <p>The API is four packages: {@link io.vtbridge} (the bridge, its shards, the locks and the
 * calls bridged code makes), {@link io.vtbridge.monitor} (events, counters, MXBeans, stall reports),
 * {@link io.vtbridge.trace} (the crash-surviving trace ring and its reader) and
 * {@link io.vtbridge.stress} (seeded, replayable schedules and virtual time for concurrency tests). Every other package
 * is the runtime's inside: not exported, free to change.
 *
 * <p><b>The one JVM flag.</b> The custom virtual-thread scheduler reaches a package-private JDK
 * constructor, so a JVM that builds a bridge needs {@code java.lang} opened to this module:
 * <ul>
 *   <li>on the module path: {@code --add-opens java.base/java.lang=io.vtbridge};</li>
 *   <li>on the class path: {@code --add-opens java.base/java.lang=ALL-UNNAMED}, or
 *       {@code Add-Opens: java.base/java.lang} in an executable jar's manifest.</li>
 * </ul>
 * Without it, {@link io.vtbridge.BridgeBuilder#build()} throws an {@link IllegalStateException}
 * that names the form this JVM needs.
 */
module io.vtbridge {
    requires java.management;   // the shard and pool MXBeans; the stall watchdog's thread info
    requires jdk.jfr;           // io.vtbridge.Event, and the pinned-park watcher's event stream

    exports io.vtbridge;
    exports io.vtbridge.monitor;
    exports io.vtbridge.trace;
    exports io.vtbridge.stress;

    // The adapters use three small helpers of the runtime's: VarHandles (field handles), Failures
    // (rethrowing what a reflective call threw) and InterruptWindow (how a run waits out a
    // canceller's interrupt, shared with the executor adapter's tasks); nothing else of the inside.
    exports io.vtbridge.internal to io.vtbridge.adapters;
}
