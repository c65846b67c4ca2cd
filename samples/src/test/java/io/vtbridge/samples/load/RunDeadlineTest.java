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
        try (RunDeadline ignored = RunDeadline.start("deadline-test", Duration.ofMillis(100), expired::complete)) {
            String message = expired.get(30, TimeUnit.SECONDS);
            assertThat(message).startsWith("deadline-test: the run did not end within 0 s")
                    .contains("The threads, virtual ones included, are in ");
            Path dump = Path.of(message.substring(message.indexOf(" are in ") + " are in ".length()));
            assertThat(Files.readString(dump)).contains("stuck-in-the-measured-code");
            Files.delete(dump);
            Files.delete(dump.getParent());
        } finally {
            release.countDown();
            stuck.join();
        }
    }

    @Test
    void aRunThatEndsInTimeIsLeftAlone() throws Exception {
        CompletableFuture<String> expired = new CompletableFuture<>();
        RunDeadline deadline = RunDeadline.start("deadline-test", Duration.ofMillis(300), expired::complete);
        deadline.close();
        deadline.close(); // a second close is harmless
        // The watch saw the end; past the bound it still does nothing (a generous wait past 300 ms).
        assertThatThrownBy(() -> expired.get(1, TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
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
