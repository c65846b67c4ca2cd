package io.vtbridge.jcstress.io;

import io.vtbridge.adapters.io.internal.PooledCall;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link PooledCall}, a {@code BridgeInputStream}/{@code BridgeOutputStream} call on the blocking
 * pool: the pool thread starting it races its interrupted caller abandoning it. Exactly one wins; a
 * caller that lost knows the call started, and may see it still running, never the reverse.
 *
 * <p>r1: 1 if the pool thread's {@code start()} won (then it runs the call and {@code finish()}es);
 * r2: 1 if the caller's {@code abandon()} won; r3: 1 if the caller, having lost, saw the call still
 * running; r4: the arbiter's {@code isRunning()} after both (must be 0).
 */
public final class PooledCallTest {

    private PooledCallTest() {
    }

    @JCStressTest
    @Description("start() vs abandon(): exactly one claims the call; a caller that lost sees it started.")
    @Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE, desc = "Started first; the caller saw it running: later stream calls wait for it.")
    @Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE, desc = "Started and finished before the caller looked.")
    @Outcome(id = "0, 1, 0, 0", expect = ACCEPTABLE, desc = "Abandoned first: the call never runs.")
    @Outcome(expect = FORBIDDEN, desc = "Both or neither claimed it, or a call seen running after it was abandoned or finished.")
    @State
    public static class StartRacesAbandon {
        final PooledCall call = new PooledCall();

        @Actor
        public void poolThread(IIII_Result r) {
            if (call.start()) {
                r.r1 = 1;
                call.finish();
            }
        }

        @Actor
        public void caller(IIII_Result r) {
            if (call.abandon()) {
                r.r2 = 1;
            } else {
                r.r3 = call.isRunning() ? 1 : 0;
            }
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r4 = call.isRunning() ? 1 : 0;
        }
    }
}
