package io.vtbridge.adapters.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vtbridge.Bridge;
import io.vtbridge.adapters.jdbc.AsyncJdbc;
import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@link JdbcExample} over HikariCP and an in-memory H2 database and checks what it returns. */
@Timeout(60)
class JdbcExampleTest {

    private static HikariDataSource pool(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:" + name); // dropped when the pool closes its last connection
        config.setMaximumPoolSize(10);
        return new HikariDataSource(config);
    }

    private static void exec(HikariDataSource ds, String... sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String each : sql) {
                s.execute(each);
            }
        }
    }

    @Test
    void theTransferMovesThirty() throws Exception {
        try (HikariDataSource ds = pool("example-transfer")) {
            exec(ds, "create table account(id int primary key, balance int not null)");
            assertThat(JdbcExample.transfer(ds)).isEqualTo("1=70 2=30");
        }
    }

    @Test
    void theStreamSumsEveryBalance() throws Exception {
        try (HikariDataSource ds = pool("example-stream");
             Bridge bridge = Bridge.builder().shards(2).build();
             AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).build()) {
            exec(ds, "create table account(id int primary key, balance int not null)",
                    "insert into account select x, x from system_range(1, 12345)");
            assertThat(Await.result(JdbcExample.total(jdbc))).isEqualTo(12_345L * 12_346L / 2);
        }
    }
}
