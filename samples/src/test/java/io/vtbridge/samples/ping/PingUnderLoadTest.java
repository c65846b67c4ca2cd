package io.vtbridge.samples.ping;

import io.vtbridge.samples.http.NoThreadsLeft;
import io.vtbridge.samples.http.RecordCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PingUnderLoadTest {

    /** Tiny sizes: 1 s per mode, 50 pings/s, 4 query clients of 200 µs each. */
    private static PingOptions tiny(List<PingMode> modes, int queryClients, int cpuQueue, Path csv) {
        return new PingOptions(1, Duration.ofMillis(300), Duration.ofSeconds(1), 50, queryClients,
                Duration.ofMillis(1).dividedBy(5), Duration.ofMillis(1).dividedBy(5), 1, 1, cpuQueue, 2, modes, 0, csv);
    }

    @Test
    void everyModeAnswersEveryPingWhileTheQueriesKeepComing(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("ping.csv");
        PingUnderLoad.Result result = PingUnderLoad.run(tiny(List.of(PingMode.values()), 4, 10_000, csv));

        assertThat(result.rows()).extracting(PingRow::mode)
                .containsExactly("bridge", "bridge-all-cores", "common-pool", "virtual");
        for (PingRow row : result.rows()) {
            assertThat(row.round()).as(row.mode()).isEqualTo(1);
            assertThat(row.pingSent()).as(row.mode()).isBetween(40L, 51L);      // 50/s for 1 s
            assertThat(row.pingOk()).as(row.mode()).isEqualTo(row.pingSent());
            assertThat(row.pingLost()).as(row.mode()).isZero();
            assertThat(row.pingP50Ms()).as(row.mode()).isPositive().isLessThanOrEqualTo(row.pingP99Ms());
            assertThat(row.pingP99Ms()).as(row.mode()).isLessThanOrEqualTo(row.pingMaxMs());
            assertThat(row.queriesPerSec()).as(row.mode()).isPositive();
            assertThat(row.queries503() + row.queriesFailed()).as(row.mode()).isZero();
            assertThat(row.cpuBusyPct()).as(row.mode()).isPositive().isLessThanOrEqualTo(101.0);
            assertThat(row.loadCpuPct()).as(row.mode()).isPositive().isLessThan(row.cpuBusyPct());
        }
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(5);
        assertThat(lines.getFirst()).isEqualTo(String.join(",", RecordCsv.header(PingRow.class)));
        assertThat(lines.get(1)).startsWith("1,bridge,");
        NoThreadsLeft.check("ping-", "HTTP-Dispatcher", "load-", "HttpClient-");
    }

    @Test
    void aFullCpuQueueAnswers503AndTheCountsAddUp() throws Exception {
        // One CPU thread and a queue of one, shared by the background loop's chunk and 8 clients' queries.
        PingUnderLoad.Result result = PingUnderLoad.run(tiny(List.of(PingMode.BRIDGE), 8, 1, null));

        PingRow row = result.rows().getFirst();
        assertThat(row.queries503()).isPositive();
        assertThat(row.queriesFailed()).isZero();
        assertThat(row.pingLost()).isZero();
        assertThat(row.pingOk()).isEqualTo(row.pingSent()).isPositive();
        assertThat(result.goalMet()).as("the goal needs the common pool to compare with").isFalse();
        NoThreadsLeft.check("ping-", "HTTP-Dispatcher", "load-", "HttpClient-");
    }

    @Test
    void optionsNameTheBadOptionAndValue() {
        assertThatThrownBy(() -> PingOptions.parse(new String[]{"--ping-rate", "fast"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--ping-rate 'fast': not an integer");
        assertThatThrownBy(() -> PingOptions.parse(new String[]{"--modes", "bridge,threads"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--modes 'bridge,threads': 'threads' is not one of bridge, bridge-all-cores, common-pool, virtual");
        assertThatThrownBy(() -> PingOptions.parse(new String[]{"--seconds", "0"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--seconds '0': not in (0, 86400] seconds");
        assertThatThrownBy(() -> PingOptions.parse(new String[]{"--loud"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option '--loud'");
        assertThatThrownBy(() -> PingOptions.parse(new String[]{"--csv"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--csv needs a value");
    }

    @Test
    void optionsReadWhatWasGiven() {
        PingOptions o = PingOptions.parse(new String[]{"--quick", "--modes", "virtual,bridge", "--query-us", "500",
                "--cpu-threads", "3", "--seconds", "1.5", "--csv", "out.csv"});
        assertThat(o.modes()).containsExactly(PingMode.VIRTUAL, PingMode.BRIDGE);
        assertThat(o.queryWork()).isEqualTo(Duration.ofNanos(500_000));
        assertThat(o.cpuThreads()).isEqualTo(3);
        assertThat(o.measure()).isEqualTo(Duration.ofMillis(1500));
        assertThat(o.rounds()).isEqualTo(1);                                  // --quick
        assertThat(o.csv()).isEqualTo(Path.of("out.csv"));
        assertThat(PingOptions.parse(new String[]{"--help"})).isNull();
    }
}
