package io.vtbridge.jcstress;

import io.vtbridge.task.TaskTable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import java.util.concurrent.TimeUnit;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The drain hand-off of {@link TaskTable}, with a real park: {@code close()} waits in
 * {@code awaitEmpty} while the last task's thread calls {@code release}. The waiter counts itself
 * ({@code waiting}) and then reads {@code used}; the releaser uncounts {@code used} and then reads
 * {@code waiting}, and walks the waiters only if it saw one. Both pairs are sequentially consistent,
 * so at least one side sees the other: the waiter finds the table empty, or the releaser unparks it.
 * A lost wake-up leaves the waiter parked for its full hour-long timeout: STALE.
 *
 * <p>jcstress runs the {@code @Actor} on a fresh thread per round and never interrupts it (see
 * {@link WakeupGateParkTest}), so no stray permit or interrupt can end the wait early; a spurious
 * return only sends {@code awaitEmpty} round its loop to check {@code used} and park again.
 */
public final class TaskTableDrainTest {

    private TaskTableDrainTest() {
    }

    @JCStressTest(Mode.Termination)
    @Description("A thread waiting in awaitEmpty() is always woken by the release of the last slot.")
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE,
            desc = "The waiter saw used == 0: its check came after the release, or the release's walk unparked it.")
    @Outcome(expect = FORBIDDEN,
            desc = "STALE: lost wake-up, the waiter parked with the table empty and the releaser saw no waiter; ERROR: it threw.")
    @State
    public static class LastReleaseWakesTheWaiter {
        private final TaskTable<Object> table = new TaskTable<>(1);
        private final int slot = table.acquire("the last task");

        @Actor
        public void close() {
            try {
                if (!table.awaitEmpty(1, TimeUnit.HOURS)) {
                    throw new IllegalStateException("awaitEmpty timed out");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        @Signal
        public void lastTaskEnds() {
            table.release(slot);
        }
    }
}
