package io.vtbridge.junit;

import io.vtbridge.stress.Strategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test method run under the stress mode of vtbridge ({@link io.vtbridge.stress.StressTester}): once
 * per schedule, up to {@link #schedules()} seeded schedules, stopping at the first that fails. The
 * method may take a {@link io.vtbridge.stress.StressContext} parameter, through which it starts the
 * threads under test; it builds its state itself (a {@code @BeforeEach} runs once, not per schedule)
 * and checks its invariant after joining them.
 *
 * <pre>{@code
 * @StressTest(schedules = 1000, strategy = Strategy.Kind.PCT)
 * void transfersKeepTheTotal(StressContext ctx) throws Exception {
 *     Bank bank = new Bank(100, 100);
 *     Thread a = ctx.fork("a", () -> bank.transfer(0, 1, 30));
 *     Thread b = ctx.fork("b", () -> bank.transfer(1, 0, 50));
 *     a.join();
 *     b.join();
 *     assertEquals(200, bank.total());
 * }
 * }</pre>
 *
 * <p>A failure fails the test with the schedule's report: the outcome (an assertion, a deadlock with
 * who waits for whom, a possible livelock), the strategy, the schedule id and every step. To run
 * exactly that schedule again, put its id in {@link #replay()}.
 *
 * <p>It may also be put on an annotation of your own, which then stands for these settings.
 *
 * <p>The test JVM needs {@code --add-opens java.base/java.lang=ALL-UNNAMED} (surefire's
 * {@code argLine}), as a bridge does.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(StressExtension.class)
public @interface StressTest {

    /** How many schedules to try at most (1 to 10,000,000). */
    int schedules() default 1000;

    /** The strategy. */
    Strategy.Kind strategy() default Strategy.Kind.RANDOM;

    /** The PCT depth (1 to 16), for {@link Strategy.Kind#PCT}. */
    int depth() default 3;

    /** The base seed: schedule i uses a seed mixed from it and i. The same seed explores the same schedules. */
    long seed() default 0L;

    /** The most steps one schedule may take before it is reported as a possible livelock (10 to 100,000,000). */
    int maxSteps() default 100_000;

    /** Real time a schedule waits for a JDK-sent wake-up before calling it a deadlock, in milliseconds (0 to 3,600,000). */
    long externalWaitMillis() default 10_000L;

    /** Real time a schedule waits for a wake-up from outside the run before calling it a deadlock, in milliseconds (0 to 60,000). */
    long deadlockGraceMillis() default 100L;

    /** A schedule id from a failure's report: run that one schedule instead of searching. */
    String replay() default "";
}
