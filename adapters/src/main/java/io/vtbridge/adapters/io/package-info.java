/**
 * Blocking {@code java.io} streams and child processes behind the bridge's suspend/resume.
 *
 * <ul>
 *   <li>{@link io.vtbridge.adapters.io.BridgeInputStream} and
 *       {@link io.vtbridge.adapters.io.BridgeOutputStream} wrap any stream: in bridged code each
 *       blocking call runs on the bridge's blocking pool ({@link io.vtbridge.Bridge#blocking}) while
 *       the virtual thread waits unmounted, so a slow socket, pipe or device stream no longer holds its
 *       shard; elsewhere they call straight through.</li>
 *   <li>{@link io.vtbridge.adapters.io.ProcessChannel} speaks to a child process over its pipes, one
 *       framed request in and one framed response out ({@link io.vtbridge.adapters.io.Framing}),
 *       pipelining the requests of many callers to one child on its own writer and reader threads;
 *       a child that dies fails what it had in flight with its exit code and the tail of its stderr
 *       ({@link io.vtbridge.adapters.io.ProcessDiedException}), and the next request restarts it
 *       within a bound.</li>
 * </ul>
 *
 * <p>See {@code docs/PROCESS.md}. The hand-offs these classes are built on live in a package the
 * module does not export ({@code io.vtbridge.adapters.io.internal}), where the jcstress tests reach
 * them.
 */
package io.vtbridge.adapters.io;
