package io.vtbridge.samples.stress;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StressSampleTest {

    @Test
    void everyBugIsFoundByBothStrategiesAndEveryFailureReplaysExactly(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        List<StressSample.Row> rows = StressSample.run(1, 1000, false, Duration.ZERO, Duration.ZERO, false);

        assertThat(rows).hasSize(10);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.found()).as(r.toString()).isTrue();
            assertThat(r.replayedExactly()).as(r.toString()).isTrue();
            assertThat(r.tries()).isBetween(1, 1000);
        });
        Path csv = dir.resolve("stress.csv");
        StressSample.writeCsv(csv, rows);
        assertThat(Files.readAllLines(csv)).hasSize(11).first().asString().startsWith("bug,tool,strategy");
    }

    @Test
    void theFailingShareIsAShareOfSchedules() {
        PlantedBugs.Bug lostUpdate = PlantedBugs.all().get(0);
        double share = StressSample.failingShare(lostUpdate, io.vtbridge.stress.Strategy.random(), 200);
        assertThat(share).isGreaterThan(0.0).isLessThan(1.0); // some schedules interleave badly, not all
    }

    @Test
    void thePlatformLoopRunsTheSameScenarioOnPlatformThreads() throws Exception {
        PlantedBugs.Bug lostUpdate = PlantedBugs.all().get(0);
        StressSample.Row row = PlatformLoop.search(lostUpdate, 0, 200, Duration.ofSeconds(120), Duration.ofSeconds(60));

        assertThat(row.tool()).isEqualTo("platform");
        assertThat(row.tries()).isBetween(1, 200);
        // Found or not, by chance; when found, it is the lost update's symptom.
        if (row.found()) {
            assertThat(row.symptom()).isEqualTo("FAILED");
        } else {
            assertThat(row.tries()).isEqualTo(200);
        }
    }
}
