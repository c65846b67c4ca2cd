package io.vtbridge.jcstress;

import io.vtbridge.task.TaskTable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The admission/close hand-off of {@code Bridge}: a submitter takes a {@link TaskTable} slot and then
 * re-reads the bridge's state; a closer flips the state and then scans the table to complete every
 * pending task. Both sides store, then load the other's location, so at least one sees the other:
 * a task that the submitter goes on to start (it saw the bridge open after taking its slot) is
 * always seen by the closer's scan, and its future cannot be left pending.
 *
 * <p>The submitter's sequence is the one in {@code Admission.admit}, the closer's the one in
 * {@code BridgeLifecycle.abortPending}: {@code r1} = 1 if the submitter kept the task (would start it),
 * 0 if it backed out; {@code r2} = 1 if the closer's scan saw the task.
 */
@JCStressTest
@Description("Admission vs close: a task admitted while the bridge looked open is seen by the closer's scan.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Admitted before the close; the closer's scan finds it and completes its future.")
@Outcome(id = "0, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "Both saw each other: the submitter backs out and the closer also saw the slot; the first completion wins.")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The close came first: the submitter saw it and backed out; nothing to scan.")
@Outcome(id = "1, 0", expect = FORBIDDEN,
        desc = "Lost task: the submitter saw the bridge open and starts the task, but the closer's scan missed it.")
@State
public class AdmissionTest {

    private static final Object TASK = new Object();

    private final TaskTable<Object> table = new TaskTable<>(4);
    private volatile boolean closed; // Bridge.state != OPEN

    @Actor
    public void submitter(II_Result r) {
        int slot = table.acquire(TASK); // the volatile store of the task into its slot
        if (closed) {                   // then the load of the state
            table.release(slot);
            r.r1 = 0;
        } else {
            r.r1 = 1;
        }
    }

    @Actor
    public void closer(II_Result r) {
        closed = true;                  // the volatile store of the state
        int[] seen = new int[1];
        table.forEach(task -> seen[0]++); // then the loads of the slots
        r.r2 = seen[0];
    }
}
