package io.vtbridge.samples.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenLoopTest {

    @Test
    void everyDueRequestIsSentAndCounted() throws Exception {
        OpenLoop.Result r = OpenLoop.run("instant", 1_000, Duration.ofMillis(200), 100,
                () -> CompletableFuture.completedFuture(null));
        assertThat(r.sent()).isBetween(195L, 201L);                  // 200 due in 200 ms at 1,000/s
        assertThat(r.ok()).isEqualTo(r.sent());
        assertThat(r.latency().getTotalCount()).isEqualTo(r.ok());
        assertThat(r.failed() + r.refused() + r.unfinished()).isZero();
    }

    @Test
    void aStalledServerIsRefusedBeyondTheBoundAndLeftUnfinished() throws Exception {
        OpenLoop.Result r = OpenLoop.run("stalled", 1_000, Duration.ofMillis(100), 10, CompletableFuture::new);
        assertThat(r.sent()).isEqualTo(10);
        assertThat(r.unfinished()).isEqualTo(10);
        assertThat(r.refused()).isGreaterThan(80);
        assertThat(r.ok()).isZero();
    }

    @Test
    void latencyCountsFromTheDueTimeNotFromTheSend() throws Exception {
        // The sender is held up 50 ms on the first request: the next ones, due meanwhile, are late
        // by up to 50 ms although each completes at once.
        boolean[] first = {true};
        OpenLoop.Result r = OpenLoop.run("late", 1_000, Duration.ofMillis(100), 100, () -> {
            if (first[0]) {
                first[0] = false;
                long until = System.nanoTime() + 50_000_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            return CompletableFuture.completedFuture(null);
        });
        assertThat(r.maxMillis()).isGreaterThanOrEqualTo(45.0);
    }

    @Test
    void failuresAreCountedApart() throws Exception {
        OpenLoop.Result r = OpenLoop.run("failing", 1_000, Duration.ofMillis(50), 100,
                () -> CompletableFuture.failedFuture(new IllegalStateException("no")));
        assertThat(r.failed()).isEqualTo(r.sent()).isPositive();
        assertThat(r.ok()).isZero();
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> OpenLoop.run("x", 0, Duration.ofSeconds(1), 1, CompletableFuture::new))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("perSecond must be positive: 0.0");
        assertThatThrownBy(() -> OpenLoop.run("x", 1, Duration.ZERO, 1, CompletableFuture::new))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration must be positive");
        assertThatThrownBy(() -> OpenLoop.run("x", 1, Duration.ofSeconds(1), 0, CompletableFuture::new))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxInFlight must be positive: 0");
    }

    @Test
    void csvQuotesWhatNeedsIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/out.csv");
        Csv.write(file, List.of("mode", "note"), List.of(List.of("bridge", "a,b"), List.of("virtual", "say \"hi\"")));
        assertThat(Files.readString(file)).isEqualTo("mode,note\nbridge,\"a,b\"\nvirtual,\"say \"\"hi\"\"\"\n");
        assertThatThrownBy(() -> Csv.write(file, List.of("one"), List.of(List.of(1, 2))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a row of 2 values for 1 columns");
    }
}
