package io.vtbridge.jcstress;

import io.vtbridge.pool.WorkerStarter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The pools' worker starter ({@link WorkerStarter}) closing while bridged code queues a worker start:
 * the start must run exactly once, either on the closing thread's drain or on the queuing thread,
 * which sees the starter closed. No runner is bound here, so a start that neither side runs is lost
 * for good, which is what the forbidden outcome shows.
 *
 * <p>r1: how many times the start ran.
 */
@JCStressTest
@Description("A worker start queued while the starter closes runs exactly once.")
@Outcome(id = "1", expect = ACCEPTABLE, desc = "Run once, by the close's drain or by the queuing thread.")
@Outcome(id = "0", expect = FORBIDDEN, desc = "Lost: queued after the close's drain, without seeing the close.")
@Outcome(expect = FORBIDDEN, desc = "Run more than once.")
@State
public class WorkerStarterCloseTest {

    final WorkerStarter starter = new WorkerStarter();
    final AtomicInteger runs = new AtomicInteger();

    @Actor
    public void bridgedCode() {
        starter.execute(runs::incrementAndGet);
    }

    @Actor
    public void closing() {
        starter.close();
    }

    @Arbiter
    public void arbiter(I_Result r) {
        r.r1 = runs.get();
    }
}
