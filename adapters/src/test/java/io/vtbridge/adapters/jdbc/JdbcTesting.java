package io.vtbridge.adapters.jdbc;

import io.vtbridge.testing.Await;

import java.util.concurrent.CompletableFuture;

/**
 * Small helpers of the AsyncJdbc tests.
 *
 * <p><b>Threading:</b> static helpers, called on the test thread.
 */
final class JdbcTesting {

    private JdbcTesting() {
    }

    /**
     * What {@code future} failed with, exactly as it was stored (a dependent stage's
     * {@code handle} sees the stored throwable, so a wrapper would show); fails the test if the
     * future succeeded or does not complete within {@link Await#WAIT_SECONDS}.
     */
    static Throwable failure(CompletableFuture<?> future) throws Exception {
        Throwable failure = Await.result("the call to fail", future.handle((value, e) -> e));
        if (failure == null) {
            throw new AssertionError("expected the call to fail, it returned " + future.join());
        }
        return failure;
    }
}
