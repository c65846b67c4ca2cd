package io.vtbridge;

import io.vtbridge.trace.TraceEvent;
import io.vtbridge.trace.TraceReader;
import io.vtbridge.trace.TraceRing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code Bridge.builder().trace(ring)}: the event model recorded in a trace ring. */
@Timeout(60)
class TraceWiringTest {

    @TempDir
    Path dir;

    @Test
    void everyEventOfASleepAndALockIsInTheMappedRing() throws Exception {
        Path file = dir.resolve("bridge.trace");
        TraceRing ring = TraceRing.mapped(file, 1 << 16);
        long tid;
        try (Bridge bridge = Bridge.builder().shards(1).trace(ring).build()) {
            BridgeLock lock = new BridgeLock();
            tid = bridge.submit(() -> {
                Bridge.sleep(Duration.ofMillis(1));
                lock.lock();
                lock.unlock();
                return Thread.currentThread().threadId();
            }).get(10, TimeUnit.SECONDS);
        }
        ring.force();
        List<TraceEvent> mine = new ArrayList<>();
        TraceReader reader = TraceReader.open(file); // as another process would, after a crash
        while (reader.next()) {
            if (reader.isEvent() && reader.event().threadId() == tid) {
                mine.add(reader.event());
            }
        }
        assertThat(mine).extracting(TraceEvent::kindName, TraceEvent::phaseName).containsSubsequence(
                org.assertj.core.groups.Tuple.tuple("SLEEP", "REQUEST"),
                org.assertj.core.groups.Tuple.tuple("SLEEP", "SUSPEND"),
                org.assertj.core.groups.Tuple.tuple("SLEEP", "RESUME"),
                org.assertj.core.groups.Tuple.tuple("LOCK", "REQUEST"));
        assertThat(mine).allSatisfy(e -> assertThat(e.shard()).isZero());
        assertThat(ring.lost()).isZero();
    }
}
