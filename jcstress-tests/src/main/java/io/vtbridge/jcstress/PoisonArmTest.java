package io.vtbridge.jcstress;

import io.vtbridge.Poison;
import io.vtbridge.PoisonedException;
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
 * {@link Poison}'s arming is a CAS on one state field: two threads that arm at once (a misuse: the
 * caller's lock should serialise them) must never both hold the state.
 *
 * <p>Per actor: 1 = armed and disarmed cleanly, 2 = refused with {@link IllegalStateException} (the
 * other one was armed), 3 = {@link PoisonedException}. The arbiter records 1 if the poison is clean
 * afterwards.
 */
public final class PoisonArmTest {

    private PoisonArmTest() {
    }

    static int armOnce(Poison<int[]> poison) {
        try (Poison.Guard<int[]> guard = poison.checkAndArm()) {
            guard.data()[0]++;
            guard.disarm();
            return 1;
        } catch (PoisonedException e) {
            return 3;
        } catch (IllegalStateException e) {
            return 2;
        }
    }

    @JCStressTest
    @Description("Two threads arm the same Poison: at most one holds it at a time; a refused one poisons nothing.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "One armed, disarmed, then the other: both clean.")
    @Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "Actor 1 held it while actor 2 tried: actor 2 refused, state clean.")
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "Actor 2 held it while actor 1 tried: actor 1 refused, state clean.")
    @Outcome(expect = FORBIDDEN, desc = "Both refused, a poisoning, or a dirty state.")
    @State
    public static class TwoArmers {
        final Poison<int[]> poison = new Poison<>("counter", new int[1]);

        @Actor
        public void first(III_Result r) {
            r.r1 = armOnce(poison);
        }

        @Actor
        public void second(III_Result r) {
            r.r2 = armOnce(poison);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = poison.isPoisoned() ? 0 : 1;
        }
    }
}
