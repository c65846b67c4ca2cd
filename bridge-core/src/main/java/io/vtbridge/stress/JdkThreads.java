package io.vtbridge.stress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.util.concurrent.locks.LockSupport;

/**
 * What the stress carrier reads of the JDK's virtual threads: which thread a continuation handed to
 * the scheduler belongs to, and whether a waiting thread will be woken by a thread of the JDK's own.
 *
 * <p><b>Threading:</b> all methods are thread-safe.
 */
final class JdkThreads {

    /** {@code VirtualThread.runContinuation}, or null on a JDK without it (refused at a run's start). */
    private static final VarHandle RUN_CONTINUATION = runContinuationHandle();

    private JdkThreads() {
    }

    private static VarHandle runContinuationHandle() {
        try {
            Class<?> vt = Class.forName("java.lang.VirtualThread");
            return MethodHandles.privateLookupIn(vt, MethodHandles.lookup())
                    .findVarHandle(vt, "runContinuation", Runnable.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@link #threadOf} works here: tried on an unstarted thread of {@code builder}. */
    static boolean canTellThreads(Thread.Builder.OfVirtual builder) {
        if (RUN_CONTINUATION == null) {
            return false;
        }
        Thread probe = builder.unstarted(() -> { });
        return threadOf((Runnable) RUN_CONTINUATION.get(probe)) == probe;
    }

    /**
     * The virtual thread whose {@code runContinuation} this is (the JDK's method reference captures
     * it, JDK 21 to 25), or null.
     */
    static Thread threadOf(Runnable continuation) {
        if (RUN_CONTINUATION == null) {
            return null;
        }
        try {
            for (Field f : continuation.getClass().getDeclaredFields()) {
                if (Thread.class.isAssignableFrom(f.getType())) {
                    f.setAccessible(true);
                    Thread t = (Thread) f.get(continuation);
                    if (t != null && RUN_CONTINUATION.get(t) == continuation) {
                        return t;
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // another JDK layout: the thread stays unnamed
        }
        return null;
    }

    /**
     * Whether the JDK wakes {@code t} from a thread of its own: a timed wait ({@code Thread.sleep},
     * a timed park: its timer thread), and on JDK 24+ a monitor ({@code synchronized}, whose blocked
     * threads its unblocker thread resumes, and {@code Object.wait}: a notified waiter shows as
     * RUNNABLE, unmounted and not yet handed to the scheduler).
     */
    static boolean wokenFromOutside(Thread t) {
        return switch (t.getState()) {
            case TIMED_WAITING, BLOCKED, RUNNABLE -> true;
            case WAITING -> LockSupport.getBlocker(t) == null && inObjectWait(t);
            default -> false;
        };
    }

    private static boolean inObjectWait(Thread t) {
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().equals("java.lang.Object") && f.getMethodName().startsWith("wait")) {
                return true;
            }
        }
        return false;
    }
}
