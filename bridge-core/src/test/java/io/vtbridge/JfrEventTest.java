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
        List<String> starters = startersOf("jfr-hog-cpu-", () -> {
            try (Bridge bridge = Bridge.builder().shards(1).name("jfr-hog").moveHogs(true).build()) {
                String ranOn = bridge.submit(() -> {
                    HogTest.spinFor(5);      // longer than a slice, then a yield: the loop thread sends it off
                    Thread.yield();
                    return Thread.currentThread().isVirtual() ? String.valueOf(Bridge.current().isPresent()) : "?";
                }).get(10, TimeUnit.SECONDS);
                assertThat(ranOn).as("moved: off its loop").isEqualTo("false");
            }
        });
        // The move is made by the loop thread itself: its Thread.start would hold the loop.
        assertThat(starters).as("who started the CPU pool's one worker").containsExactly("jfr-hog-watchdog");
    }

    @Test
    void aPoolWorkerThatBridgedCodeNeedsIsStartedByTheWatchdogNotTheLoop() throws Exception {
        List<String> starters = startersOf("jfr-starts-blocking-", () -> {
            try (Bridge bridge = Bridge.builder().shards(1).name("jfr-starts").build()) {
                assertThat(bridge.submit(() -> Bridge.blocking(() -> Thread.currentThread().getName()))
                        .get(10, TimeUnit.SECONDS)).startsWith("jfr-starts-blocking-");
            }
        });
        // The thread that called Thread.start: the watchdog, never the loop thread carrying the caller.
        assertThat(starters).as("who started the blocking pool's one worker").containsExactly("jfr-starts-watchdog");
    }

    /** A body that may throw. */
    private interface Body {
        void run() throws Exception;
    }

    /**
     * Runs {@code body} under a JFR recording of {@code jdk.ThreadStart} and returns, for each thread
     * started whose name begins with {@code prefix}, the name of the thread that started it.
     */
    private List<String> startersOf(String prefix, Body body) throws Exception {
        Path file = dir.resolve(prefix + "starts.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ThreadStart");
            recording.start();
            body.run();
            recording.stop();
            recording.dump(file);
        }
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("jdk.ThreadStart"))
                .filter(e -> e.getThread("thread") != null && e.getThread("thread").getJavaName().startsWith(prefix))
                .map(e -> e.getThread("parentThread").getJavaName())
                .toList();
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
