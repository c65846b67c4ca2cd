package io.vtbridge.fray;

import org.junit.jupiter.api.extension.ExtendWith;
import org.pastalab.fray.core.scheduler.RandomScheduler;
import org.pastalab.fray.junit.junit5.FrayTestExtension;
import org.pastalab.fray.junit.junit5.annotations.ConcurrencyTest;

/**
 * The five planted bugs, ported onto java.util.concurrent ({@link PortedBugs}), under Fray's RandomScheduler:
 * 1,000 iterations at most each.
 */
@ExtendWith({Meter.class, FrayTestExtension.class})
@Strategy("random")
class FrayRandomTest {

    @ConcurrencyTest(iterations = 1000, scheduler = RandomScheduler.class)
    void lostUpdate() throws Throwable {
        FrayContext.run(PortedBugs::lostUpdate);
    }

    @ConcurrencyTest(iterations = 1000, scheduler = RandomScheduler.class)
    void checkThenAct() throws Throwable {
        FrayContext.run(PortedBugs::checkThenAct);
    }

    @ConcurrencyTest(iterations = 1000, scheduler = RandomScheduler.class)
    void lostSignal() throws Throwable {
        FrayContext.run(PortedBugs::lostSignal);
    }

    @ConcurrencyTest(iterations = 1000, scheduler = RandomScheduler.class)
    void lockOrder() throws Throwable {
        FrayContext.run(PortedBugs::lockOrder);
    }

    @ConcurrencyTest(iterations = 1000, scheduler = RandomScheduler.class)
    void missedJobChange() throws Throwable {
        FrayContext.run(PortedBugs::missedJobChange);
    }
}
