package io.vtbridge.fray;

import org.junit.jupiter.api.extension.ExtendWith;
import org.pastalab.fray.core.scheduler.PCTScheduler;
import org.pastalab.fray.core.scheduler.RandomScheduler;
import org.pastalab.fray.junit.junit5.FrayTestExtension;
import org.pastalab.fray.junit.junit5.annotations.ConcurrencyTest;

/**
 * Not part of the comparison (its name keeps it out of the default run): PlantedBugs' own scenarios,
 * on the bridge's primitives, under Fray, where they do not finish (README.md, "Why ports"). Each
 * method hangs the test JVM; run one at a time, with a time limit:
 * {@code -Dtest='BridgePrimitivesProbe#lostSignalOnBridgeCondition' -Dsurefire.timeout=120}.
 */
@ExtendWith(FrayTestExtension.class)
class BridgePrimitivesProbe {

    /** Bug 3: Fray takes the bridge's Condition.await for a java.util.concurrent one; the waiter parks unseen. */
    @ConcurrencyTest(iterations = 10, scheduler = RandomScheduler.class)
    void lostSignalOnBridgeCondition() throws Throwable {
        FrayContext.run(Bugs.LOST_SIGNAL.scenario());
    }

    /** Bug 2 under PCT: a thread spins on the sync's guard while its holder, of lower priority, never runs again. */
    @ConcurrencyTest(iterations = 1000, scheduler = PCTScheduler.class)
    void checkThenActOnBridgeReadWriteLockPct() throws Throwable {
        FrayContext.run(Bugs.CHECK_THEN_ACT.scenario());
    }
}
