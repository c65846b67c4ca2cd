package io.vtbridge.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Puts a reused thread back the way a new one starts, between two tasks: no thread locals (plain or
 * inheritable), no interrupt, no name, no uncaught-exception handler of its own, and its first
 * context class loader. A task run by a reused thread then sees what a task on a fresh thread sees,
 * but for the thread's identity ({@code Thread.currentThread()}, its id) and for inheritable thread
 * locals, which a fresh thread would have copied from the thread that created it.
 *
 * <p>The thread-local maps and the handler are private fields of {@code java.lang.Thread}, reached
 * through the same {@code --add-opens java.base/java.lang} that the custom scheduler needs (checked
 * on JDK 21 to 25). On a JDK whose fields differ, {@link #isAvailable()} is false and the bridge runs
 * each task on a thread of its own instead.
 *
 * <p><b>Threading:</b> {@link #afterTask} on the thread being reset, between its tasks.
 */
public final class ThreadReset {

    private static final VarHandle THREAD_LOCALS;
    private static final VarHandle INHERITABLE_THREAD_LOCALS;
    private static final VarHandle HANDLER;

    static {
        VarHandle locals = null;
        VarHandle inheritable = null;
        VarHandle handler = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            Class<?> map = Class.forName("java.lang.ThreadLocal$ThreadLocalMap");
            locals = lookup.findVarHandle(Thread.class, "threadLocals", map);
            inheritable = lookup.findVarHandle(Thread.class, "inheritableThreadLocals", map);
            handler = lookup.findVarHandle(Thread.class, "uncaughtExceptionHandler", Thread.UncaughtExceptionHandler.class);
        } catch (Throwable e) { // not opened, or another JDK layout: threads are not reused
            locals = null;
            inheritable = null;
            handler = null;
        }
        THREAD_LOCALS = locals;
        INHERITABLE_THREAD_LOCALS = inheritable;
        HANDLER = handler;
    }

    private ThreadReset() {
    }

    /** Whether threads can be reset here (the JDK's fields were found and are accessible). */
    public static boolean isAvailable() {
        return THREAD_LOCALS != null;
    }

    /**
     * Resets the current thread after a task: clears its interrupt status, drops its thread-local
     * maps, its name and its own uncaught-exception handler, and restores {@code loader} as its
     * context class loader. Writes only what the task changed.
     */
    public static void afterTask(ClassLoader loader) {
        Thread self = Thread.currentThread();
        Thread.interrupted();
        if (THREAD_LOCALS.get(self) != null) {
            THREAD_LOCALS.set(self, null);
        }
        if (INHERITABLE_THREAD_LOCALS.get(self) != null) {
            INHERITABLE_THREAD_LOCALS.set(self, null);
        }
        if (HANDLER.get(self) != null) {
            self.setUncaughtExceptionHandler(null);
        }
        if (!self.getName().isEmpty()) {
            self.setName("");
        }
        if (self.getContextClassLoader() != loader) {
            self.setContextClassLoader(loader);
        }
    }
}
