package io.vtbridge;

import io.vtbridge.events.BridgeJfrEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The event model as JFR events ({@code io.vtbridge.Event}): off by default, recorded when enabled. */
@Timeout(60)
class JfrEventTest {

    @TempDir
    Path dir;

    @Test
    void enabledInARecordingTheEventsOfASleepAreThere() throws Exception {
        Path file = dir.resolve("events.jfr");
        long tid;
        try (Recording recording = new Recording()) {
            recording.enable(BridgeJfrEvent.NAME);
            recording.start();
            Bridge bridge = Bridge.builder().shards(1).build();
            tid = bridge.submit(() -> {
                Bridge.sleep(Duration.ofMillis(2));
                return Thread.currentThread().threadId();
            }).get(10, TimeUnit.SECONDS);
            bridge.close();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> sleep = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(BridgeJfrEvent.NAME))
                .filter(e -> "SLEEP".equals(e.getString("kind")))
                .toList();
        assertThat(sleep).extracting(e -> e.getString("phase")).containsExactly("REQUEST", "SUSPEND", "RESUME");
        assertThat(sleep).allSatisfy(e -> {
            assertThat(e.getLong("virtualThreadId")).isEqualTo(tid);
            assertThat(e.getInt("shard")).isZero();
        });
    }

    @Test
    void aCpuWorkerForAMovedHogIsStartedByTheWatchdogNotTheLoop() throws Exception {
        Path file = dir.resolve("hog-starts.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ThreadStart");
            recording.start();
            try (Bridge bridge = Bridge.builder().shards(1).name("jfr-hog").moveHogs(true).build()) {
                String ranOn = bridge.submit(() -> {
                    HogTest.spinFor(5);      // longer than a slice, then a yield: the loop thread sends it off
                    Thread.yield();
                    return Thread.currentThread().isVirtual() ? String.valueOf(Bridge.current().isPresent()) : "?";
                }).get(10, TimeUnit.SECONDS);
                assertThat(ranOn).as("moved: off its loop").isEqualTo("false");
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> workerStarts = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("jdk.ThreadStart"))
                .filter(e -> e.getThread("thread") != null && e.getThread("thread").getJavaName().startsWith("jfr-hog-cpu-"))
                .toList();
        assertThat(workerStarts).as("the CPU pool's worker was started once").hasSize(1);
        // The move is made by the loop thread itself: its Thread.start would hold the loop.
        assertThat(workerStarts.get(0).getThread("parentThread").getJavaName()).isEqualTo("jfr-hog-watchdog");
    }

    @Test
    void aPoolWorkerThatBridgedCodeNeedsIsStartedByTheWatchdogNotTheLoop() throws Exception {
        Path file = dir.resolve("starts.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ThreadStart");
            recording.start();
            try (Bridge bridge = Bridge.builder().shards(1).name("jfr-starts").build()) {
                assertThat(bridge.submit(() -> Bridge.blocking(() -> Thread.currentThread().getName()))
                        .get(10, TimeUnit.SECONDS)).startsWith("jfr-starts-blocking-");
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> workerStarts = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("jdk.ThreadStart"))
                .filter(e -> e.getThread("thread") != null
                        && e.getThread("thread").getJavaName().startsWith("jfr-starts-blocking-"))
                .toList();
        assertThat(workerStarts).as("the blocking pool's worker was started once").hasSize(1);
        // The thread that called Thread.start: the watchdog, never the loop thread carrying the caller.
        assertThat(workerStarts.get(0).getThread("parentThread").getJavaName()).isEqualTo("jfr-starts-watchdog");
    }

    @Test
    void disabledByDefault() throws Exception {
        Path file = dir.resolve("none.jfr");
        try (Bridge bridge = Bridge.builder().shards(1).build(); Recording recording = new Recording()) {
            recording.start(); // no settings: io.vtbridge.Event stays at its default, disabled
            bridge.submit(() -> {
                Bridge.sleep(Duration.ofMillis(1));
                return null;
            }).get(10, TimeUnit.SECONDS);
            recording.stop();
            recording.dump(file);
        }
        assertThat(RecordingFile.readAllEvents(file)).noneMatch(e -> e.getEventType().getName().equals(BridgeJfrEvent.NAME));
    }
}
