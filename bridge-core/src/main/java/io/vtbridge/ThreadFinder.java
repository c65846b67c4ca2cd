package io.vtbridge;

import io.vtbridge.internal.JdkAccess;
import io.vtbridge.task.TaskTable;

import java.util.function.Predicate;

/**
 * Finds a live thread that a bridge started, for stall reports: the virtual thread mounted on a stuck
 * carrier (the stall watchdog), or the one a JFR event names by id (the pinned-event watcher). It
 * looks at the task runners in the in-flight table first, then at the threads made with
 * {@link Shard#newThread}. Threads that bridged code started by itself are not known to it.
 *
 * <p><b>Threading:</b> any thread; each answer is a racy snapshot (the thread may end right after).
 */
final class ThreadFinder {

    private final TaskTable<BridgeTask<?>> tasks;

    ThreadFinder(TaskTable<BridgeTask<?>> tasks) {
        this.tasks = tasks;
    }

    /** The live thread of {@code shard} that vtbridge started with this id, or null. */
    Thread withId(Shard shard, long id) {
        return find(shard, t -> t.threadId() == id);
    }

    /** The virtual thread of {@code shard} mounted on {@code carrier} now, if vtbridge started it; else null. */
    Thread mountedOn(Shard shard, Thread carrier) {
        // Any shard's task: an idle shard may carry another's runner (a task the spill moved, or a
        // runnable runner it took), and the carrier alone says where a thread is mounted.
        return find(shard, t -> JdkAccess.carrierOf(t) == carrier, true);
    }

    private Thread find(Shard shard, Predicate<Thread> test) {
        return find(shard, test, false);
    }

    private Thread find(Shard shard, Predicate<Thread> test, boolean anyShard) {
        Thread[] found = new Thread[1];
        tasks.forEach(task -> {
            Thread runner = task.runner();
            // The shard it runs on: a task the spill moved runs on another shard than its own.
            if (found[0] == null && runner != null && (anyShard || task.runningOn() == shard) && test.test(runner)) {
                found[0] = runner;
            }
        });
        if (found[0] == null) {
            for (Thread t : shard.handMadeThreads()) {
                if (test.test(t)) {
                    return t;
                }
            }
        }
        return found[0];
    }
}
