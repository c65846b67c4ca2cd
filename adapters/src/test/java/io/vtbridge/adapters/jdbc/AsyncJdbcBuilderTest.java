package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link AsyncJdbcBuilder}: defaults, and errors that name the bad value. */
class AsyncJdbcBuilderTest {

    @TestBridge
    Bridge bridge;

    private final javax.sql.DataSource ds = H2.unpooled(H2.url("builder", ""));

    @Test
    void defaults() {
        try (AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).build()) {
            assertThat(jdbc.maxConnections()).isEqualTo(10);
            assertThat(jdbc.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(jdbc.name()).startsWith("async-jdbc-");
            assertThat(jdbc.connectionsInUse()).isZero();
            assertThat(jdbc.waiting()).isZero();
            assertThat(jdbc.isClosed()).isFalse();
        }
    }

    @Test
    void settingsAreKept() {
        try (AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).maxConnections(3).acquireTimeout(Duration.ofMillis(250))
                .name("orders").build()) {
            assertThat(jdbc.maxConnections()).isEqualTo(3);
            assertThat(jdbc.acquireTimeout()).isEqualTo(Duration.ofMillis(250));
            assertThat(jdbc.name()).isEqualTo("orders");
        }
    }

    @Test
    void badValuesAreRefusedNamingTheValue() {
        AsyncJdbcBuilder b = AsyncJdbc.builder(ds, bridge);
        assertThatThrownBy(() -> AsyncJdbc.builder(null, bridge)).isInstanceOf(NullPointerException.class).hasMessage("dataSource");
        assertThatThrownBy(() -> AsyncJdbc.builder(ds, null)).isInstanceOf(NullPointerException.class).hasMessage("bridge");
        assertThatThrownBy(() -> b.maxConnections(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConnections must be between 1 and 1048576, was 0");
        assertThatThrownBy(() -> b.maxConnections(-5)).hasMessageContaining("was -5");
        assertThatThrownBy(() -> b.maxConnections(AsyncJdbcBuilder.MAX_CONNECTIONS_LIMIT + 1)).hasMessageContaining("was 1048577");
        assertThatThrownBy(() -> b.acquireTimeout(null)).isInstanceOf(NullPointerException.class).hasMessage("acquireTimeout");
        assertThatThrownBy(() -> b.acquireTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("acquireTimeout must be positive, was PT0S");
        assertThatThrownBy(() -> b.acquireTimeout(Duration.ofSeconds(-1))).hasMessageContaining("was PT-1S");
        assertThatThrownBy(() -> b.fetchSize(0)).isInstanceOf(IllegalArgumentException.class).hasMessage("fetchSize must be positive, was 0");
        assertThatThrownBy(() -> b.maxRows(-1)).isInstanceOf(IllegalArgumentException.class).hasMessage("maxRows must be positive, was -1");
        assertThatThrownBy(() -> b.mode(null)).isInstanceOf(NullPointerException.class).hasMessage("mode");
        assertThatThrownBy(() -> b.name(null)).isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> b.name("  ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name must not be blank");
    }

    @Test
    void aHugeTimeoutIsAcceptedAndSaturates() {
        try (AsyncJdbc jdbc = AsyncJdbc.builder(ds, bridge).acquireTimeout(Duration.ofSeconds(Long.MAX_VALUE)).build()) {
            assertThat(jdbc.acquireTimeout().getSeconds()).isEqualTo(Long.MAX_VALUE);
        }
    }
}
