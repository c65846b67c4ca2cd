/**
 * The walredo sample ({@code ./vtb sample walredo}): one child process that applies WAL records to
 * 8 KiB pages, shared by many callers, spoken to one request at a time behind a lock
 * ({@link io.vtbridge.samples.walredo.BlockingRedoClient}) and pipelined through a
 * {@link io.vtbridge.adapters.io.ProcessChannel}; the situation of Neon's async walredo change.
 * {@link io.vtbridge.samples.walredo.WalRedoSample} is the entry point;
 * {@link io.vtbridge.samples.walredo.WalRedoChild} the child program;
 * {@link io.vtbridge.samples.walredo.PageRedo} the page and record format both sides share.
 */
package io.vtbridge.samples.walredo;
