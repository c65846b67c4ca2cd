package io.vtbridge.jcstress;

import io.vtbridge.task.TaskTable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

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
 * <p>The task that the scan sees must know its slot: the closer's abort frees the slot the task
 * names. So the submitter reserves a slot, writes it into the task, and only then publishes the task
 * in the table ({@link TaskTable#reserve}, {@link TaskTable#publish}). A table that published the
 * task with the slot (one {@code acquire}) let a scan see a task whose slot field was not written
 * yet: the closer's release then failed on slot -1 and the slot stayed taken.
 *
 * <p>The submitter's sequence is the one in {@code Admission.admit}, the closer's the one in
 * {@code BridgeLifecycle.abortPending}: {@code r1} = 1 if the submitter kept the task (would start it),
 * 0 if it backed out; {@code r2} = 1 if the closer's scan saw the task; {@code r3} = 1 if the task the
 * scan saw did not name its slot.
 */
@JCStressTest
@Description("Admission vs close: a task admitted while the bridge looked open is seen by the closer's scan, with its slot.")
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "Admitted before the close; the closer's scan finds it and completes its future.")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "Both saw each other: the submitter backs out and the closer also saw the slot; the first completion wins.")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "The close came first: the submitter saw it and backed out; nothing to scan.")
@Outcome(id = "1, 0, 0", expect = FORBIDDEN,
        desc = "Lost task: the submitter saw the bridge open and starts the task, but the closer's scan missed it.")
@Outcome(id = ".*, 1", expect = FORBIDDEN,
        desc = "The scan saw a task that did not name its slot yet: the closer could not free the slot.")
@State
public class AdmissionTest {

    /** A submitted task as the closer sees it: the slot it names. */
    static final class Task {
        int slot = -1; // plain, as BridgeTask.slot: written before the task is published
    }

    private final TaskTable<Task> table = new TaskTable<>(4);
    private final Task task = new Task();
    private volatile boolean closed; // Bridge.state != OPEN

    @Actor
    public void submitter(III_Result r) {
        int slot = table.reserve();
        task.slot = slot;               // the slot first,
        table.publish(slot, task);      // then the volatile store of the task into its slot
        if (closed) {                   // then the load of the state
            table.release(slot);
            r.r1 = 0;
        } else {
            r.r1 = 1;
        }
    }

    @Actor
    public void closer(III_Result r) {
        closed = true;                  // the volatile store of the state
        int seen = 0;
        int unnamed = 0;
        for (int i = 0; i < table.capacity(); i++) { // then the loads of the slots, as forEach walks them
            Task t = table.get(i);
            if (t != null) {
                seen++;
                if (t.slot != i) {
                    unnamed = 1;
                }
            }
        }
        r.r2 = seen;
        r.r3 = unnamed;
    }
}
