package io.vtbridge.jcstress;

import io.vtbridge.loop.ParkTimeout;
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
 * A timed park's expiry on the loop's heap ({@link ParkTimeout}): the loop fires it while the JDK
 * cancels it (the parked thread resumed early, on a CPU worker that runs it as a moved hog). Exactly
 * one wins: either the JDK's expiry task runs and the cancel reports false and removes nothing, or the
 * cancel reports true, removes the timer from the heap once, and the expiry never runs.
 *
 * <p>r1: how many times the expiry ran, r2: 1 if cancel returned true, r3: how many times the timer
 * was removed from the heap.
 */
@JCStressTest
@Description("A park timeout fired by the loop and cancelled by the JDK: exactly one of them wins.")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "The loop fired it first: the cancel came too late.")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "The cancel came first: removed once, never fired.")
@Outcome(expect = FORBIDDEN, desc = "Both won, neither won, or a removal without a cancel.")
@State
public class ParkTimeoutTest {

    int expiries;  // written by the loop actor only
    int removals;  // written by the cancelling actor only (the remover runs on it)
    final ParkTimeout timeout = new ParkTimeout(0, () -> expiries++, t -> removals++);

    @Actor
    public void loop() {
        timeout.expire();
    }

    @Actor
    public void jdk(III_Result r) {
        r.r2 = timeout.cancel(false) ? 1 : 0;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = expiries;
        r.r3 = removals;
    }
}
