/**
 * The shard loop: one platform thread that is the scheduler of its virtual threads.
 *
 * <p>A resume travels like this. A virtual thread that becomes runnable reaches
 * {@link io.vtbridge.loop.ShardLoop#execute} as a continuation. If the caller runs on the loop's
 * own thread (the loop itself, or a virtual thread the loop carries) the continuation goes to the
 * loop-owned local run queue, with no atomic instruction. From any other thread it goes through the
 * lock-free {@link io.vtbridge.queue.MpscLinkedQueue inbound queue}, and the
 * {@link io.vtbridge.loop.WakeupGate} unparks the loop only if it announced sleep.
 * Access-mode names as in {@link io.vtbridge.queue}.
 */
package io.vtbridge.loop;
