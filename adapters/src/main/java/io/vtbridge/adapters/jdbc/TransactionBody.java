package io.vtbridge.adapters.jdbc;

/**
 * The work of {@link AsyncJdbc#inTransaction}: synchronous JDBC calls on one connection, through the
 * {@link Transaction} it is given. Returning commits; throwing rolls back, and the call's future
 * fails with the very exception thrown.
 *
 * @param <T> the type of the result
 */
@FunctionalInterface
public interface TransactionBody<T> {

    /**
     * Runs the transaction's statements.
     *
     * @param tx the transaction, valid only until this method returns and only on the calling thread
     * @return the value the call's future completes with (may be {@code null})
     * @throws Exception anything: the transaction rolls back and the future fails with it
     */
    T run(Transaction tx) throws Exception;
}
