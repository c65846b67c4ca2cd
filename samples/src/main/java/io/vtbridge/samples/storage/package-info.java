/**
 * The {@code storage} sample ({@code ./vtb sample storage}): H2's MVStore in file mode, a real
 * storage engine that blocks in its own locks and its file I/O, driven by asynchronous callers on
 * the bridge (REPORT, HAND_OFF, Mode.SYNC, the nio provider) and on the JDK's executors; see
 * {@link io.vtbridge.samples.storage.StorageSample} and {@code docs/samples/storage.md}.
 */
package io.vtbridge.samples.storage;
