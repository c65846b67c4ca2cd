package io.vtbridge.junit;

import io.vtbridge.BridgeLock;
import io.vtbridge.samples.stress.PlantedBugs;
import io.vtbridge.stress.StressContext;
import io.vtbridge.stress.StressResult;
import io.vtbridge.stress.StressTester;
import io.vtbridge.stress.Strategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/** Runs the sample classes below through the real JUnit engine and checks what it reported. */
class StressExtensionTest {

    /** The id the random search with seed 0 reports for {@link Samples#lostUpdate}; checked against the tester below. */
    static final String LOST_UPDATE_ID = "random-9ca066f1a4ab2eea";

    static final AtomicInteger correctRuns = new AtomicInteger();

    /** A team's own shorthand for its usual settings. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.METHOD)
    @StressTest(schedules = 50)
    @interface QuickStress {
    }

    /** Not run by surefire (a nested class); run through the engine by the tests. */
    static class Samples {

        @StressTest(schedules = 200)
        void correct(StressContext ctx) throws Exception {
            correctRuns.incrementAndGet();
            BridgeLock lock = new BridgeLock();
            int[] counter = {0};
            StressContext.Task inc = () -> {
                lock.lock();
                try {
                    counter[0]++;
                } finally {
                    lock.unlock();
                }
            };
            Thread a = ctx.fork("a", inc);
            Thread b = ctx.fork("b", inc);
            a.join();
            b.join();
            assertThat(counter[0]).isEqualTo(2);
        }

        @StressTest(schedules = 1000)
        void lostUpdate(StressContext ctx) throws Exception {
            lostUpdateBody(ctx);
        }

        @StressTest(replay = LOST_UPDATE_ID)
        void lostUpdateReplayed(StressContext ctx) throws Exception {
            lostUpdateBody(ctx);
        }

        @StressTest(schedules = 1000, strategy = Strategy.Kind.PCT, depth = 2)
        void lostUpdateByPct(StressContext ctx) throws Exception {
            lostUpdateBody(ctx);
        }

        @StressTest(depth = 99, strategy = Strategy.Kind.PCT)
        void badDepth(StressContext ctx) {
        }

        @QuickStress
        void composed(StressContext ctx) throws Exception {
            correctRuns.incrementAndGet();
            ctx.fork("a", () -> { }).join();
        }
    }

    static void lostUpdateBody(StressContext ctx) throws Exception {
        PlantedBugs.lostUpdate(ctx);
    }

    private static Events run(String method) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(Samples.class, method, StressContext.class.getName()))
                .execute().testEvents();
    }

    private static Throwable failureOf(Events events) {
        Event failed = events.failed().stream().findFirst().orElseThrow();
        return failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
    }

    @Test
    void aCorrectMethodPassesAfterRunningOncePerSchedule() {
        correctRuns.set(0);
        run("correct").assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertThat(correctRuns.get()).isEqualTo(200);
    }

    @Test
    void aBuggyMethodFailsWithTheScheduleReportAndItsIdReplaysIt() {
        Throwable failure = failureOf(run("lostUpdate"));
        StressResult direct = StressTester.builder().schedules(1000).build().run(StressExtensionTest::lostUpdateBody);
        String id = direct.failure().orElseThrow().id();
        assertThat(id).isEqualTo(LOST_UPDATE_ID);
        assertThat(failure).isInstanceOf(AssertionError.class)
                .hasMessageContaining("schedule " + id + ": FAILED")
                .hasMessageContaining("@StressTest(replay = \"" + id + "\")")
                .hasMessageContaining("RESUME a | REQUEST LOCK BridgeLock#1");
        assertThat(failure.getCause()).hasMessageContaining("lost update: counter is 1");

        Throwable replayed = failureOf(run("lostUpdateReplayed"));
        assertThat(replayed).hasMessageContaining("replayed schedule failed")
                .hasMessageContaining(direct.failure().orElseThrow().report());
    }

    @Test
    void aComposedAnnotationStandsForItsSettings() {
        correctRuns.set(0);
        run("composed").assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertThat(correctRuns.get()).isEqualTo(50);
    }

    @Test
    void pctFindsItToo() {
        assertThat(failureOf(run("lostUpdateByPct"))).hasMessageContaining("schedule pct-d2-k");
    }

    @Test
    void badSettingsAreAConfigurationErrorNamingTheValue() {
        assertThat(failureOf(run("badDepth"))).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("badDepth").hasMessageContaining(": 99");
    }
}
