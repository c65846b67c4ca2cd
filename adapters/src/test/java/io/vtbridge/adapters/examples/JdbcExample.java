package io.vtbridge.adapters.examples;

import io.vtbridge.Bridge;
import io.vtbridge.adapters.jdbc.AsyncJdbc;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The examples of the README's and docs/JDBC.md's {@code AsyncJdbc} sections, compiled and run by
 * {@link JdbcExampleTest}: the documents copy the bodies below.
 *
 * <p><b>Threading:</b> each method runs on its caller's thread and waits for its futures.
 */
public final class JdbcExample {

    private JdbcExample() {
    }

    /**
     * Moves 30 from account 1 to account 2 in one transaction over {@code dataSource} (a pool with
     * at least 10 connections, table {@code account(id int, balance int)}) and returns the balances.
     *
     * @return {@code "1=70 2=30"}
     */
    public static String transfer(DataSource dataSource) {
        try (Bridge bridge = Bridge.builder().shards(2).build();
             AsyncJdbc jdbc = AsyncJdbc.builder(dataSource, bridge)
                     .maxConnections(10)                       // at most the pool's own maximum
                     .acquireTimeout(Duration.ofSeconds(5))
                     .build()) {
            jdbc.update("insert into account(id, balance) values (?, ?), (?, ?)", List.of(1, 100, 2, 0)).join();

            CompletableFuture<Integer> moved = jdbc.inTransaction(tx -> {  // one connection: commit, or roll back on a throw
                tx.update("update account set balance = balance - ? where id = ?", List.of(30, 1));
                return tx.update("update account set balance = balance + ? where id = ?", List.of(30, 2));
            });
            CompletableFuture<List<String>> balances = moved.thenCompose(n -> jdbc.query(
                    "select id, balance from account order by id", List.of(),
                    row -> row.getInt("id") + "=" + row.getInt("balance")));
            return String.join(" ", balances.join());                      // join(): only because main has nothing else to do
        }
    }

    /**
     * Streams every balance of {@code account}, 100 rows at a time, and sums them: however many rows
     * there are, at most 100 are held at once.
     */
    public static CompletableFuture<Long> total(AsyncJdbc jdbc) {
        CompletableFuture<Long> total = new CompletableFuture<>();
        jdbc.stream("select balance from account", List.of(), row -> row.getLong(1)).subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;
            private long sum;
            private long received;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(100);
            }

            @Override
            public void onNext(Long balance) {                         // on the producer's bridged thread
                sum += balance;
                if (++received % 100 == 0) {
                    subscription.request(100);                        // the next 100, once these are done
                }
            }

            @Override
            public void onError(Throwable failure) {                   // the driver's exception, as it was thrown
                total.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {                                 // the connection is back in the pool by now
                total.complete(sum);
            }
        });
        return total;
    }
}
