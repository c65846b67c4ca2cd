package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static io.vtbridge.adapters.jdbc.JdbcTesting.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link AsyncJdbc#inTransaction}: commit, rollback, the original exception, suppressed rollback failures, isolation. */
@Timeout(60)
class TransactionTest {

    @TestBridge(shards = 2)
    Bridge bridge;

    private String url;
    private JdbcConnectionPool pool;
    private CountingDataSource ds;
    private AsyncJdbc jdbc;

    @BeforeEach
    void setUp() throws SQLException {
        url = H2.url("tx", "");
        pool = H2.h2Pool(url, 10);
        ds = new CountingDataSource(pool);
        H2.exec(pool, "create table account(id int primary key, balance int not null)",
                "insert into account values (1, 100), (2, 0)");
        jdbc = AsyncJdbc.builder(ds, bridge).maxConnections(4).build();
    }

    @AfterEach
    void tearDown() throws SQLException {
        jdbc.close();
        pool.dispose();
        H2.shutdown(url);
    }

    private long balance(int id) throws SQLException {
        return H2.scalar(pool, "select balance from account where id = ?", id);
    }

    @Test
    void aBodyThatReturnsCommitsAndItsValueCompletesTheFuture() throws Exception {
        String value = Await.result(jdbc.inTransaction(tx -> {
            tx.update("update account set balance = balance - ? where id = ?", List.of(30, 1));
            tx.update("update account set balance = balance + ? where id = ?", List.of(30, 2));
            return "moved " + tx.query("select sum(balance) from account", List.of(), row -> row.getInt(1));
        }));
        assertThat(value).isEqualTo("moved [100]");
        assertThat(balance(1)).isEqualTo(70);
        assertThat(balance(2)).isEqualTo(30);
        assertThat(ds.autoCommitCalls).containsExactly("setAutoCommit(false)", "setAutoCommit(true)");
        Await.until("the connection back", () -> ds.held() == 0);
    }

    @Test
    void aBodyThatThrowsRollsBackAndTheFutureFailsWithThatVeryException() throws Exception {
        IllegalStateException refused = new IllegalStateException("insufficient funds");
        Throwable failure = failure(jdbc.inTransaction(tx -> {
            tx.update("update account set balance = balance - ? where id = ?", List.of(500, 1));
            throw refused;
        }));
        assertThat(failure).isSameAs(refused);
        assertThat(failure.getSuppressed()).isEmpty();
        assertThat(balance(1)).isEqualTo(100);
        assertThat(ds.autoCommitCalls).containsExactly("setAutoCommit(false)", "setAutoCommit(true)");
    }

    @Test
    void aFailingStatementInTheBodyIsTheCauseAndUndoesTheEarlierOnes() throws Exception {
        AtomicReference<SQLException> thrown = new AtomicReference<>();
        Throwable failure = failure(jdbc.inTransaction(tx -> {
            tx.update("update account set balance = 0 where id = ?", List.of(1));
            try {
                return tx.update("insert into account values (?, ?)", List.of(2, 5)); // duplicate key
            } catch (SQLException e) {
                thrown.set(e);
                throw e;
            }
        }));
        assertThat(failure).isSameAs(thrown.get()).isInstanceOf(java.sql.SQLIntegrityConstraintViolationException.class);
        assertThat(balance(1)).isEqualTo(100);
    }

    @Test
    void aFailedRollbackIsAddedToTheOriginalAsSuppressed() throws Exception {
        SQLException rollbackFailed = new SQLException("rollback failed: connection lost");
        ds.failRollback = rollbackFailed;
        SQLException original = new SQLException("the body's own failure");
        Throwable failure = failure(jdbc.inTransaction(tx -> {
            throw original;
        }));
        assertThat(failure).isSameAs(original);
        assertThat(failure.getSuppressed()).containsExactly(rollbackFailed);
        Await.until("the connection back", () -> ds.held() == 0);
    }

    @Test
    void aFailedCommitFailsTheCallWithTheCommitsExceptionAndRollsBack() throws Exception {
        SQLException commitFailed = new SQLException("commit failed");
        ds.failCommit = commitFailed;
        Throwable failure = failure(jdbc.inTransaction(tx -> tx.update("update account set balance = 1 where id = 1", List.of())));
        assertThat(failure).isSameAs(commitFailed);
        assertThat(balance(1)).as("rolled back").isEqualTo(100);
    }

    @Test
    void theHandleWorksOnlyOnTheBodysThreadAndOnlyDuringTheBody() throws Exception {
        AtomicReference<Transaction> leaked = new AtomicReference<>();
        AtomicReference<Throwable> fromOtherThread = new AtomicReference<>();
        Await.result(jdbc.inTransaction(tx -> {
            leaked.set(tx);
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    tx.update("delete from account", List.of());
                } catch (Throwable t) {
                    fromOtherThread.set(t);
                }
            });
            other.join();
            return null;
        }));
        assertThat(fromOtherThread.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only on the thread running its body");
        // After the body, on whichever bridged thread (a reused runner may be the body's own thread).
        CompletableFuture<Object> later = bridge.submit(() -> leaked.get().update("delete from account", List.of()));
        assertThat(failure(later)).isInstanceOf(IllegalStateException.class).hasMessageContaining("has ended");
        assertThat(balance(1)).isEqualTo(100);
    }

    @Test
    void theConnectionHandleAllowsWhatTheMethodsDoNotAndStaysInTheTransaction() throws Exception {
        Throwable failure = failure(jdbc.inTransaction(tx -> {
            try (var batch = tx.connection().prepareStatement("update account set balance = ? where id = ?")) {
                batch.setInt(1, 7);
                batch.setInt(2, 1);
                batch.addBatch();
                batch.executeBatch();
            }
            throw new IllegalStateException("undo the batch");
        }));
        assertThat(failure).hasMessage("undo the batch");
        assertThat(balance(1)).isEqualTo(100);
    }

    /**
     * A reader on another connection, while the body holds its changes uncommitted, sees none of
     * them; after a rollback still none; after a commit all of them.
     */
    @Test
    void aConcurrentReaderNeverSeesUncommittedOrRolledBackRows() throws Exception {
        for (boolean commit : new boolean[] {false, true}) {
            CountDownLatch written = new CountDownLatch(1);
            CountDownLatch checked = new CountDownLatch(1);
            int id = commit ? 11 : 10;
            CompletableFuture<Integer> writer = jdbc.inTransaction(tx -> {
                tx.update("insert into account values (?, 50)", List.of(id));
                tx.update("update account set balance = 0 where id = 1", List.of());
                written.countDown();
                checked.await(); // the virtual thread unmounts; the reader runs meanwhile
                if (!commit) {
                    throw new IllegalStateException("roll back");
                }
                return 1;
            });
            Await.latch("the writer's uncommitted changes", written);
            List<String> during = Await.result(jdbc.query("select id || ':' || balance from account order by id", List.of(),
                    row -> row.getString(1)));
            assertThat(during).as("while uncommitted").containsExactly("1:100", "2:0");
            checked.countDown();
            Throwable outcome = Await.result(writer.handle((v, e) -> e));
            List<String> after = Await.result(jdbc.query("select id || ':' || balance from account order by id", List.of(),
                    row -> row.getString(1)));
            if (commit) {
                assertThat(outcome).isNull();
                assertThat(after).containsExactly("1:0", "2:0", "11:50");
            } else {
                assertThat(outcome).hasMessage("roll back");
                assertThat(after).as("after the rollback").containsExactly("1:100", "2:0");
            }
        }
    }

    @Test
    void theHandlesArgumentsAreChecked() throws Exception {
        Await.result(jdbc.inTransaction(tx -> {
            assertThatThrownBy(() -> tx.update(null, List.of())).isInstanceOf(NullPointerException.class).hasMessage("sql");
            assertThatThrownBy(() -> tx.update("", List.of())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> tx.query("select 1", null, row -> 1)).isInstanceOf(NullPointerException.class).hasMessage("params");
            assertThatThrownBy(() -> tx.query("select 1", List.of(), null)).isInstanceOf(NullPointerException.class).hasMessage("mapper");
            return null;
        }));
    }
}
