/**
 * Loop-owned timers: what {@code Bridge.sleep} and, later, lock and I/O timeouts wait on.
 * Everything here is single-threaded and touched only by the thread that currently owns the loop.
 *
 * <p><b>Not API.</b> The public types here are public for the other vtbridge packages and the
 * jcstress tests, not for applications: they may change without notice, and calling them directly
 * can break the bridge's guarantees (e.g. running code on a loop thread instead of in a virtual
 * thread it carries).
 */
package io.vtbridge.timer;
