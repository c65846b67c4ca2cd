package io.vtbridge.samples.http;

import io.vtbridge.samples.load.Cpu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpLatencyTest {

    @Test
    void bothModesAnswerEveryRequestInAlternatingOrder(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("http.csv");
        LatencyOptions options = new LatencyOptions(List.of(100), 2, Duration.ofMillis(300), Duration.ofSeconds(1),
                Duration.ofMillis(20), 16, 2, List.of(LatencyMode.values()), 0, csv);

        HttpLatency.Result result = HttpLatency.run(options);

        assertThat(result.rows()).extracting(LatencyRow::mode).containsExactly("bridge", "virtual", "virtual", "bridge");
        for (LatencyRow row : result.rows()) {
            assertThat(row.sent()).as(row.mode()).isBetween(90L, 101L);         // 100/s for 1 s
            assertThat(row.ok()).as(row.mode()).isEqualTo(row.sent());
            assertThat(row.lost()).as(row.mode()).isZero();
            assertThat(row.p50Ms()).as(row.mode() + ": each call waits 20 ms").isGreaterThanOrEqualTo(20.0);
            assertThat(row.p50Ms()).as(row.mode()).isLessThanOrEqualTo(row.p99Ms());
            assertThat(row.cpuUsPerRequest()).as(row.mode()).isPositive().isGreaterThan(row.serverCpuUsPerRequest());
            // The process's CPU time moves in clock ticks (Cpu.PROCESS_TICK_NANOS), the threads' in
            // nanoseconds: the server's figure, from two readings of the process's, can be off by two
            // ticks over the window, 200 µs a request over these 100.
            double tickSlackUs = 2.0 * Cpu.PROCESS_TICK_NANOS / 1000.0 / row.ok();
            assertThat(row.carrierCpuUsPerRequest()).as(row.mode() + ": the carriers ran the handlers, part of the server's CPU")
                    .isPositive().isLessThan(row.serverCpuUsPerRequest() + tickSlackUs);
        }
        assertThat(Files.readAllLines(csv)).hasSize(5).first().isEqualTo(String.join(",", RecordCsv.header(LatencyRow.class)));
        NoThreadsLeft.check("http-latency-", "HTTP-Dispatcher", "load-", "HttpClient-");
    }

    @Test
    void theServerMakesOneLegacyCallPerRequest() throws Exception {
        for (LatencyMode mode : LatencyMode.values()) {
            try (LatencyServer server = new LatencyServer(mode, 0, 2, Duration.ZERO);
                 HttpLoad client = new HttpLoad("client", 1)) {
                URI[] uris = server.uris(2);
                List<String> bodies = List.of(uris[0], uris[1], uris[0], uris[0]).stream()
                        .map(uri -> client.get(uri).join().body()).toList();
                assertThat(bodies).as(mode.label()).containsExactly("1", "1", "2", "3");
                assertThat(server.calls()).as(mode.label()).isEqualTo(4);
                int status = client.send(URI.create(uris[0].toString().replace("k=0", "k=zero"))).join().statusCode();
                assertThat(status).as(mode.label()).isEqualTo(400);
                assertThat(server.calls()).as(mode.label()).isEqualTo(4);
            }
        }
        NoThreadsLeft.check("http-latency-", "HTTP-Dispatcher", "load-", "HttpClient-");
    }

    @Test
    void theGoalComparesTheMediansAndSaysWhatWasWorse() {
        List<LatencyRow> rows = List.of(
                row(1000, 1, "bridge", 1.2, 2.0, 50), row(1000, 1, "virtual", 1.3, 2.5, 60),
                row(1000, 2, "bridge", 1.9, 9.0, 55), row(1000, 2, "virtual", 1.4, 2.4, 61),
                row(1000, 3, "bridge", 1.2, 2.1, 52), row(1000, 3, "virtual", 1.3, 2.6, 59),
                row(5000, 1, "bridge", 1.5, 3.0, 40), row(5000, 1, "virtual", 1.4, 2.9, 45));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        boolean met = LatencyTable.printGoal(rows, List.of(1000, 5000), new PrintStream(text, true, StandardCharsets.UTF_8));
        String out = text.toString(StandardCharsets.UTF_8);

        assertThat(met).isFalse();
        assertThat(out).containsPattern("1000 .* met\\n");                    // medians 1.2/2.1 vs 1.3/2.5: one bad round outvoted
        assertThat(out).contains("NOT met (worse: p50 p99)");                // 5000/s: 1.5 > 1.4, 3.0 > 2.9
        assertThat(LatencyTable.median(rows.subList(0, 2), LatencyRow::p99Ms)).isEqualTo(2.25);
    }

    private static LatencyRow row(int rate, int round, String mode, double p50, double p99, double cpu) {
        return new LatencyRow(rate, round, mode, 100, 100, 0, p50, p99, p99, p99, 0.1, cpu, cpu - 10, 50, cpu - 20);
    }

    @Test
    void optionsNameTheBadOptionAndValue() {
        assertThatThrownBy(() -> LatencyOptions.parse(new String[]{"--rates", "1000,0"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--rates '1000,0': 0 is not positive");
        assertThatThrownBy(() -> LatencyOptions.parse(new String[]{"--rates", "1k"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--rates '1k': not a comma-separated list of integers");
        assertThatThrownBy(() -> LatencyOptions.parse(new String[]{"--port", "70000"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--port '70000': not in 0..65535");
        assertThatThrownBy(() -> LatencyOptions.parse(new String[]{"--modes", "fixed"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--modes 'fixed': 'fixed' is not one of bridge, virtual");
        LatencyOptions quick = LatencyOptions.parse(new String[]{"--quick", "--remote-us", "0"});
        assertThat(quick.rates()).containsExactly(500, 2_000);
        assertThat(quick.remote()).isZero();
        assertThat(LatencyOptions.parse(new String[]{"--help"})).isNull();
    }
}
