/**
 * Stress-test mode: a concurrency test runs under many seeded, replayable schedules on one carrier,
 * with virtual time, deadlock and livelock reports ({@link io.vtbridge.stress.StressTester}). What it
 * explores and what it does not, the strategies and how to replay a failure: {@code docs/STRESS.md}.
 */
package io.vtbridge.stress;
