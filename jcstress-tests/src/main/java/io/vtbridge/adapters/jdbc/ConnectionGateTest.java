package io.vtbridge.adapters.jdbc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link ConnectionGate}: {@code close()} racing an entry and an exit. The gate's state is one
 * atomic int (CLOSED bit, calls inside); {@code close()} sets the bit, then releases a flood of
 * permits so that every waiter wakes and refuses itself. In this package (split from the adapters')
 * for the package-private gate.
 *
 * <p>Properties: a call never stays inside once it has seen the gate closed, so no connection is
 * taken after {@code close()} from a flood permit; {@link ConnectionGate#terminated()} completes
 * exactly when the gate is closed and nobody is inside, never earlier and never missed.
 * {@code tryEnter(0)} stands for a waiter: it takes a permit only if one is there.
 *
 * <p>Result ids: {@code tryEnter}'s result (0 ENTERED, 1 TIMED_OUT, 2 CLOSED) where there is one,
 * {@code terminated().isDone()} as 1/0 and {@code inside()}, both read by the arbiter.
 */
public final class ConnectionGateTest {

    private ConnectionGateTest() {
    }

    static int tryEnterNow(ConnectionGate gate) {
        try {
            return gate.tryEnter(0);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** One permit, held by a call that entered before; a second call tries to enter while the gate closes. */
    @JCStressTest
    @Description("close() vs an entry that finds no free permit: the entry never gets in, even with a flood permit.")
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "The entry ran before the flood: no permit, timed out. The holder is still inside: not terminated.")
    @Outcome(id = "2, 0, 1", expect = ACCEPTABLE, desc = "The entry saw CLOSED (before trying, or after taking a flood permit, which it gave back).")
    @Outcome(expect = FORBIDDEN, desc = "The entry got in (0: it would take a connection beyond the bound, or after close), or terminated with the holder inside.")
    @State
    public static class CloseVersusWaitingEntry {
        final ConnectionGate gate = new ConnectionGate(1);

        public CloseVersusWaitingEntry() {
            if (tryEnterNow(gate) != ConnectionGate.ENTERED) {
                throw new IllegalStateException("the holder did not enter");
            }
        }

        @Actor
        public void closer() {
            gate.close();
        }

        @Actor
        public void entry(III_Result r) {
            r.r1 = tryEnterNow(gate);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r2 = gate.terminated().isDone() ? 1 : 0;
            r.r3 = gate.inside();
        }
    }

    /** One call inside exits while the gate closes: the termination is never lost. */
    @JCStressTest
    @Description("close() vs the last exit: terminated() completes, whichever comes first.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "Terminated, nobody inside: by close() (the exit came first) or by the exit (close came first).")
    @Outcome(expect = FORBIDDEN, desc = "Lost termination: closed and empty, yet terminated() never completes.")
    @State
    public static class CloseVersusExit {
        final ConnectionGate gate = new ConnectionGate(1);

        public CloseVersusExit() {
            if (tryEnterNow(gate) != ConnectionGate.ENTERED) {
                throw new IllegalStateException("the call did not enter");
            }
        }

        @Actor
        public void closer() {
            gate.close();
        }

        @Actor
        public void exit() {
            gate.exit();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = gate.terminated().isDone() ? 1 : 0;
            r.r2 = gate.inside();
        }
    }

    /** A free permit: the entry either got in before the close (and is inside) or was refused. */
    @JCStressTest
    @Description("close() vs an entry with a permit free: inside and not terminated, or refused and terminated.")
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "Entered before close() set the bit: inside, so close() did not terminate.")
    @Outcome(id = "2, 1, 0", expect = ACCEPTABLE, desc = "Refused: saw CLOSED before or after taking the permit; terminated, nobody inside.")
    @Outcome(expect = FORBIDDEN, desc = "Terminated with a call inside, a refused entry left counted, a lost termination, or a time-out with a free permit.")
    @State
    public static class CloseVersusFreeEntry {
        final ConnectionGate gate = new ConnectionGate(1);

        @Actor
        public void closer() {
            gate.close();
        }

        @Actor
        public void entry(III_Result r) {
            r.r1 = tryEnterNow(gate);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r2 = gate.terminated().isDone() ? 1 : 0;
            r.r3 = gate.inside();
        }
    }
}
