package io.vtbridge.adapters.jdbc;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One local transaction on one connection: auto-commit off for its length, then commit or roll
 * back, then auto-commit as it was (a pool hands the connection to the next borrower in the state
 * it gets it back in; HikariCP resets it, not every pool does). Used by
 * {@link AsyncJdbc#inTransaction} and by streams, which read inside a transaction because some
 * drivers fetch with a cursor only there (PostgreSQL's does).
 *
 * <p>The first failure is the one that counts: a rollback or restore that fails after it is added
 * to it as suppressed. A restore that fails after a commit (no failure to add it to: the work is
 * committed, the call succeeds) and a rollback that fails after a cancelled stream are logged at
 * WARNING through {@code System.getLogger("io.vtbridge.adapters.jdbc")}; the pool sees the
 * connection's state when it is closed.
 *
 * <p><b>Threading:</b> confined to the thread that owns the connection.
 */
final class LocalTransaction {

    private static final System.Logger LOG = System.getLogger("io.vtbridge.adapters.jdbc");

    private final Connection connection;
    private final boolean restoreAutoCommit;

    private LocalTransaction(Connection connection, boolean restoreAutoCommit) {
        this.connection = connection;
        this.restoreAutoCommit = restoreAutoCommit;
    }

    /** Turns auto-commit off (if it is on) and returns the transaction. */
    static LocalTransaction begin(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit) {
            connection.setAutoCommit(false);
        }
        return new LocalTransaction(connection, autoCommit);
    }

    /**
     * Runs {@code body} in a transaction on {@code connection}: commits when it returns; rolls back
     * when it (or the commit) throws, and rethrows that same throwable, with a failed rollback or
     * restore as suppressed.
     */
    static <T> T run(Connection connection, TransactionBody<T> body, int maxRows) throws Exception {
        LocalTransaction local = begin(connection);
        Transaction tx = new Transaction(connection, maxRows);
        T value;
        try {
            value = body.run(tx);
            tx.end();
            connection.commit();
        } catch (Throwable failure) {
            tx.end();
            local.rollback(failure);
            local.restore(failure);
            throw failure;
        }
        local.restore(null);
        return value;
    }

    /** Commits. */
    void commit() throws SQLException {
        connection.commit();
    }

    /** Rolls back; a failure is added to {@code primary} (logged if {@code primary} is null). */
    void rollback(Throwable primary) {
        try {
            connection.rollback();
        } catch (Throwable rollbackFailure) {
            report(primary, rollbackFailure, "rollback");
        }
    }

    /** Restores auto-commit if it was on; a failure is added to {@code primary} (logged if null). */
    void restore(Throwable primary) {
        if (!restoreAutoCommit) {
            return;
        }
        try {
            connection.setAutoCommit(true);
        } catch (Throwable restoreFailure) {
            report(primary, restoreFailure, "restoring auto-commit");
        }
    }

    private static void report(Throwable primary, Throwable secondary, String what) {
        if (primary == null) {
            LOG.log(Level.WARNING, what + " failed after the transaction ended", secondary);
        } else if (primary != secondary) {
            primary.addSuppressed(secondary);
        }
    }
}
