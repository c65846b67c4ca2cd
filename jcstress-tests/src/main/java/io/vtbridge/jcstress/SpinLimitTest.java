package io.vtbridge.jcstress;

import io.vtbridge.loop.SpinLimit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The loops' {@code SpinLimit} for a 2-shard bridge (one loop in an adaptive spin at a time): two
 * loops that run dry at once both try to begin a spin; at most one may, and whoever did leaves the
 * place free again. {@code r1}, {@code r2}: whether each loop began a spin (1) or parks (0);
 * {@code r3}: whether the place is free after the spinners left (1).
 */
@JCStressTest
@Description("SpinLimit: of two loops that try to spin at once, at most one does; the place is free after.")
@Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = "One spins, the other parks.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "Both spin: the limit let two loops spin on two cores.")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "Neither spins, though the place was free.")
@Outcome(id = ".*, .*, 0", expect = FORBIDDEN, desc = "The place stayed taken after the spinner left.")
@State
public class SpinLimitTest {

    private final SpinLimit limit = new SpinLimit(2);
    private boolean a; // written by actor a, read by the arbiter
    private boolean b;

    @Actor
    public void a(III_Result r) {
        a = limit.tryEnter();
        r.r1 = a ? 1 : 0;
    }

    @Actor
    public void b(III_Result r) {
        b = limit.tryEnter();
        r.r2 = b ? 1 : 0;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        if (a) {
            limit.exit();
        }
        if (b) {
            limit.exit();
        }
        boolean free = limit.tryEnter();
        r.r3 = free ? 1 : 0;
    }
}
