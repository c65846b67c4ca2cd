/**
 * Loop-owned timers: what {@code Bridge.sleep} and the timed waits of the vtbridge locks wait on.
 * Everything here is single-threaded and touched only by the thread that currently owns the loop.
 */
package io.vtbridge.timer;
