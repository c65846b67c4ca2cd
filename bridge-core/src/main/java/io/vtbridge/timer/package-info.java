/**
 * Loop-owned timers: what {@code Bridge.sleep} and, later, lock and I/O timeouts wait on.
 * Everything here is single-threaded and touched only by the thread that currently owns the loop.
 */
package io.vtbridge.timer;
