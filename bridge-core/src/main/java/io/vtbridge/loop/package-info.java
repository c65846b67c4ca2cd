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
 *
 * <p><b>Not API.</b> The public types here are public for the other vtbridge packages and the
 * jcstress tests, not for applications: they may change without notice, and calling them directly
 * can break the bridge's guarantees (e.g. running code on a loop thread instead of in a virtual
 * thread it carries).
 */
package io.vtbridge.loop;
