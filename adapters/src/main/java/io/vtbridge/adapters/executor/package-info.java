/**
 * An {@link java.util.concurrent.ExecutorService} over a bridge:
 * {@link io.vtbridge.adapters.executor.BridgeExecutorService} runs each task as a bridged virtual
 * thread on a shard, so any code that takes an {@code Executor} (the JDK's {@code HttpServer} and
 * {@code HttpClient}, {@code CompletableFuture.*Async}) runs on shards, and its blocking calls unmount
 * instead of holding a thread. A service is a view: shutting it down stops its own tasks and never
 * closes the bridge. See {@code docs/EXECUTOR.md}.
 *
 * <p>Classes by role: {@code BridgeExecutorService} (the API; submission and lifecycle),
 * {@code TaskTracker} (the run state, the accepted-task count and set, termination),
 * {@code ServiceTask} (one task: the claim its thread races {@code shutdownNow}, {@code cancel} and a
 * closing bridge for; the future {@code submit} returns), {@code Invocations} ({@code invokeAll} and
 * {@code invokeAny}).
 *
 * <p>Access modes: fields changed by more than one thread are {@code volatile} and change through
 * {@code VarHandle.compareAndSet} (a volatile read and write), {@code getAndAdd}, or, once, a
 * {@code setRelease} that names the volatile read it pairs with. The jcstress tests of the
 * hand-offs ({@code ExecutorTaskClaimTest}, {@code ExecutorTerminationTest},
 * {@code ExecutorAcceptVersusShutdownNowTest}) live in this package of module {@code jcstress-tests},
 * for access to the package-private classes.
 */
package io.vtbridge.adapters.executor;
