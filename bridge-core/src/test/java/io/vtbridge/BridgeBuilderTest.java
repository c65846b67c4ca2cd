package io.vtbridge;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BridgeBuilderTest {

    @Test
    void rejectsBadShardCountsNamingTheParameter() {
        assertThatThrownBy(() -> Bridge.builder().shards(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shards").hasMessageContaining("was 0");
        assertThatThrownBy(() -> Bridge.builder().shards(-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shards").hasMessageContaining("-3");
        assertThatThrownBy(() -> Bridge.builder().shards(BridgeBuilder.MAX_SHARDS + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shards");
    }

    @Test
    void rejectsAHandOffDelayThatCannotApplyNamingBothValues() {
        assertThatThrownBy(() -> Bridge.builder().handOffAfter(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handOffAfter");
        assertThatThrownBy(() -> Bridge.builder().handOffAfter(Duration.ofMillis(10)).build())
                .as("REPORT never hands off").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("handOffAfter (PT0.01S)").hasMessageContaining("REPORT");
        assertThatThrownBy(() -> Bridge.builder().blockingPolicy(BlockingPolicy.HAND_OFF)
                .stallThreshold(Duration.ofMillis(100)).handOffAfter(Duration.ofMillis(101)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("handOffAfter (PT0.101S)").hasMessageContaining("stall threshold (PT0.1S)");
        assertThat(Bridge.builder().stallThreshold(Duration.ofMillis(100)).effectiveHandOffAfter())
                .as("the default: half the threshold").isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void rejectsBadBoundsNamingTheParameter() {
        assertThatThrownBy(() -> Bridge.builder().maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight").hasMessageContaining("was 0");
        assertThatThrownBy(() -> Bridge.builder().maxInFlight(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight");
        assertThatThrownBy(() -> Bridge.builder().maxInFlight(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight");
        assertThatThrownBy(() -> Bridge.builder().loopBatch(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopBatch");
        assertThatThrownBy(() -> Bridge.builder().idleSpins(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleSpins");
        assertThatThrownBy(() -> Bridge.builder().closeTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closeTimeout");
        assertThatThrownBy(() -> Bridge.builder().closeTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closeTimeout");
        assertThatThrownBy(() -> Bridge.builder().stopGrace(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stopGrace");
        assertThatThrownBy(() -> Bridge.builder().name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> Bridge.builder().turnSlice(Duration.ofNanos(9_999)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("turnSlice").hasMessageContaining("PT0.000009999S");
        assertThatThrownBy(() -> Bridge.builder().turnSlice(Duration.ofMillis(1001)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("turnSlice");
        assertThatThrownBy(() -> Bridge.builder().turnSlice(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("turnSlice");
        assertThatThrownBy(() -> Bridge.builder().turnSlice(null))
                .isInstanceOf(NullPointerException.class).hasMessage("turnSlice");
        assertThat(Bridge.builder().turnSlice(BridgeBuilder.MIN_TURN_SLICE).turnSlice(BridgeBuilder.MAX_TURN_SLICE)).isNotNull();
        assertThatThrownBy(() -> Bridge.builder().laneRescueAfter(Duration.ofNanos(9_999)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("laneRescueAfter").hasMessageContaining("PT0.000009999S");
        assertThatThrownBy(() -> Bridge.builder().laneRescueAfter(Duration.ofMillis(1001)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("laneRescueAfter");
        assertThatThrownBy(() -> Bridge.builder().laneRescueAfter(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("laneRescueAfter");
        assertThatThrownBy(() -> Bridge.builder().laneRescueAfter(null))
                .isInstanceOf(NullPointerException.class).hasMessage("laneRescueAfter");
        assertThat(Bridge.builder().laneRescueAfter(BridgeBuilder.MIN_LANE_RESCUE).laneRescueAfter(BridgeBuilder.MAX_LANE_RESCUE)).isNotNull();
    }

    @Test
    void rejectsNullsNamingTheParameter() {
        assertThatThrownBy(() -> Bridge.builder().closeTimeout(null)).isInstanceOf(NullPointerException.class).hasMessage("closeTimeout");
        assertThatThrownBy(() -> Bridge.builder().stopGrace(null)).isInstanceOf(NullPointerException.class).hasMessage("stopGrace");
        assertThatThrownBy(() -> Bridge.builder().name(null)).isInstanceOf(NullPointerException.class).hasMessage("name");
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            assertThatThrownBy(() -> bridge.submit((Callable<Object>) null)).isInstanceOf(NullPointerException.class).hasMessage("task");
            assertThatThrownBy(() -> bridge.submit((Object) null, () -> 1)).isInstanceOf(NullPointerException.class).hasMessage("key");
            assertThatThrownBy(() -> bridge.submit((Mode) null, () -> 1)).isInstanceOf(NullPointerException.class).hasMessage("mode");
            assertThatThrownBy(() -> bridge.submit((Priority) null, () -> 1)).isInstanceOf(NullPointerException.class).hasMessage("priority");
            assertThatThrownBy(() -> bridge.submit("k", (Priority) null, () -> 1)).isInstanceOf(NullPointerException.class).hasMessage("priority");
            assertThatThrownBy(() -> bridge.submit("k", null)).isInstanceOf(NullPointerException.class).hasMessage("task");
            assertThatThrownBy(() -> bridge.execute(null)).isInstanceOf(NullPointerException.class).hasMessage("command");
            assertThatThrownBy(() -> bridge.shard(0).newThread(null)).isInstanceOf(NullPointerException.class).hasMessage("task");
            assertThatThrownBy(() -> Bridge.sleep(null)).isInstanceOf(NullPointerException.class).hasMessage("duration");
            assertThatThrownBy(() -> Bridge.await(null)).isInstanceOf(NullPointerException.class).hasMessage("stage");
            assertThatThrownBy(() -> bridge.shard(1)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("1");
        }
    }

    @Test
    void defaultsAndNames() {
        try (Bridge bridge = Bridge.builder().name("orders").build()) {
            assertThat(bridge.shards()).hasSize(Runtime.getRuntime().availableProcessors());
            assertThat(bridge.maxInFlight()).isEqualTo(10_000);
            assertThat(bridge.name()).isEqualTo("orders");
            assertThat(bridge.shard(0).threadName()).isEqualTo("orders-shard-0");
            assertThat(bridge.shards()).extracting(Shard::index).containsExactly(
                    java.util.stream.IntStream.range(0, bridge.shards().size()).boxed().toArray(Integer[]::new));
            assertThat(bridge.toString()).contains("orders").contains("open");
        }
    }
}
