package io.vtbridge.internal;

/**
 * How a run that lost its end to a canceller waits out the canceller's interrupt. A canceller that
 * claimed a running task is inside one {@code Thread.interrupt()} of the task's thread, and stores
 * "interrupted" right after; the run's thread must not move on (to another task, or out of the
 * task) before that store, or the interrupt would land on whatever it does next. The wait depends
 * on what the canceller is:
 * <ul>
 *   <li>a <b>platform</b> thread (a closing bridge's walk, a caller outside the bridge) needs no
 *       carrier of ours: spin. A bridged thread that yielded instead would wait in its loop's queue,
 *       which a bridge stopping with no grace drops, and a task that ignored no interrupt would
 *       stay unfinished, its slot taken;</li>
 *   <li>a <b>virtual</b> thread may need this very carrier (its interrupt can unmount it, on a
 *       channel's close lock): yield to it.</li>
 * </ul>
 * So the canceller records which kind it is with its claim ({@link #cancellerIsVirtual}), and the
 * run waits with {@link #pause} until the store.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class InterruptWindow {

    private InterruptWindow() {
    }

    /** Whether the calling canceller is a virtual thread: the kind to record with its claim. */
    public static boolean cancellerIsVirtual() {
        return Thread.currentThread().isVirtual();
    }

    /** One step of a run's wait for a canceller of the kind {@code virtualCanceller} to finish its interrupt. */
    public static void pause(boolean virtualCanceller) {
        if (virtualCanceller) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }
}
