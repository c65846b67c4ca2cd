package io.vtbridge.samples.stress;

import io.vtbridge.stress.Schedule;
import io.vtbridge.stress.StressResult;
import io.vtbridge.stress.StressTester;
import io.vtbridge.stress.Strategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every planted bug is found within 1,000 schedules by both strategies, with the symptom it has, and
 * its failing schedule replays exactly from its id: same outcome, same steps, step by step.
 */
class PlantedBugsTest {

    static Stream<Arguments> bugsAndStrategies() {
        return PlantedBugs.all().stream().flatMap(bug -> Stream.of(
                Arguments.of(bug, Strategy.random()),
                Arguments.of(bug, Strategy.pct(3))));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("bugsAndStrategies")
    void foundWithin1000SchedulesAndReplayedExactly(PlantedBugs.Bug bug, Strategy strategy) {
        StressTester tester = StressTester.builder().strategy(strategy).schedules(1000).seed(7).build();

        StressResult result = tester.run(bug.scenario());

        assertThat(result.passed()).as("%s found by %s", bug, strategy).isFalse();
        Schedule failing = result.failure().orElseThrow();
        assertThat(failing.outcome()).as(failing.report()).isEqualTo(bug.symptom());
        assertThat(failing.deterministic()).isTrue();
        if (bug.symptom() == Schedule.Outcome.FAILED) {
            assertThat(failing.failure()).get().isInstanceOf(AssertionError.class);
        }

        Schedule replayed = tester.replay(failing.id(), bug.scenario());
        assertThat(replayed.outcome()).isEqualTo(failing.outcome());
        assertThat(replayed.steps()).isEqualTo(failing.steps());
        assertThat(replayed.report()).isEqualTo(failing.report());
    }
}
