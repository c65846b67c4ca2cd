package io.vtbridge.samples.load;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunDeadlineTest {

    @Test
    void aRunPastItsBoundGetsTheMessageWithAThreadDumpThatShowsTheStuckVirtualThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread stuck = Thread.ofVirtual().name("stuck-in-the-measured-code").start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<String> expired = new CompletableFuture<>();
        Path dump = null;
        long started = System.nanoTime();
        try (RunDeadline deadline = RunDeadline.start("deadline-test", Duration.ofMillis(200), expired::complete)) {
            assertThat(deadline.watchIsDaemon()).as("the watch must not keep a JVM alive").isTrue();
            String message = expired.get(30, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - started).as("not before the bound").isGreaterThanOrEqualTo(200_000_000L);
            assertThat(message).startsWith("deadline-test: the run did not end within 0 s")
                    .contains("The threads, virtual ones included, are in ");
            dump = Path.of(message.substring(message.indexOf(" are in ") + " are in ".length()));
            assertThat(dump).isAbsolute();
            assertThat(Files.readString(dump)).contains("stuck-in-the-measured-code");
        } finally {
            release.countDown();
            stuck.join();
            if (dump != null) {
                Files.deleteIfExists(dump);
                Files.deleteIfExists(dump.getParent());
            }
        }
    }

    @Test
    void aRunThatEndsInTimeIsLeftAlone() throws Exception {
        CompletableFuture<String> expired = new CompletableFuture<>();
        RunDeadline deadline = RunDeadline.start("deadline-test", Duration.ofMillis(100), expired::complete);
        deadline.close();
        deadline.close(); // a second close is harmless
        assertThat(deadline.awaitWatchEnd(Duration.ofSeconds(30))).as("the watch ends once the run has").isTrue();
        assertThat(expired).as("and it did not act").isNotDone();
    }

    @Test
    void aBoundOfCenturiesWaitsRatherThanFailing() throws Exception {
        CompletableFuture<String> expired = new CompletableFuture<>();
        RunDeadline deadline = RunDeadline.start("deadline-test", Duration.ofDays(365L * 400), expired::complete);
        assertThat(deadline.awaitWatchEnd(Duration.ofMillis(50))).as("still watching").isFalse();
        deadline.close();
        assertThat(deadline.awaitWatchEnd(Duration.ofSeconds(30))).isTrue();
        assertThat(expired).isNotDone();
    }

    @Test
    void aBoundThatIsNotPositiveIsRefusedNamingIt() {
        assertThatThrownBy(() -> RunDeadline.start("deadline-test", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> RunDeadline.start("deadline-test", Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }
}
