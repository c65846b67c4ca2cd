package io.vtbridge.adapters.facade;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the parameter of an async twin's method whose value picks the shard the call runs on: the
 * call becomes {@code bridge.submit(value, task)}, so calls with equal keys always run on the same
 * shard (and share its loop-owned state, and their locks hand over without crossing loops).
 *
 * <pre>{@code
 * interface AsyncAccounts {
 *     CompletableFuture<Long> balance(@ShardKey String accountId);
 * }
 * }</pre>
 *
 * At most one parameter of a method may carry it, and it must not be null at the call
 * ({@link AsyncFacade#of} reports a method with two; the call throws {@link NullPointerException} for
 * a null key). Without it a call goes to a lightly loaded shard.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface ShardKey {
}
