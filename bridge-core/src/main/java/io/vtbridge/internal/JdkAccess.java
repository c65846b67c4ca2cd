package io.vtbridge.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;

/**
 * The two JDK internals a custom virtual-thread scheduler needs (checked on JDK 21 to 25):
 * <ul>
 *   <li>the package-private constructor {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)},
 *       which builds virtual threads whose continuations run on our {@link Executor};</li>
 *   <li>the package-private static {@code Thread.currentCarrierThread()}, which tells bridged code
 *       which loop thread carries it.</li>
 * </ul>
 * Both need {@code java.lang} opened to vtbridge: {@value #OPENS_FLAG_CLASS_PATH} when vtbridge is on
 * the class path (or {@code Add-Opens: java.base/java.lang} in an executable jar's manifest),
 * {@value #OPENS_FLAG_MODULE_PATH} when it is on the module path. Without it the bridge fails at
 * {@code build()} with {@link #checkAvailable()}'s message, which names the form this JVM needs
 * ({@link #opensFlag()}).
 *
 * <p><b>Threading:</b> all methods are thread-safe.
 */
public final class JdkAccess {

    /** The JVM option that opens {@code java.lang} to vtbridge on the class path (the unnamed module). */
    public static final String OPENS_FLAG_CLASS_PATH = "--add-opens java.base/java.lang=ALL-UNNAMED";

    /** The JVM option that opens {@code java.lang} to vtbridge on the module path (module {@code io.vtbridge}). */
    public static final String OPENS_FLAG_MODULE_PATH = "--add-opens java.base/java.lang=io.vtbridge";

    private static final Constructor<?> VIRTUAL_THREAD_BUILDER;
    private static final MethodHandle CURRENT_CARRIER_THREAD;
    private static final Throwable FAILURE;
    private static final java.lang.invoke.VarHandle CARRIER_OF; // VirtualThread.carrierThread, or null
    private static final java.lang.invoke.VarHandle SCHEDULER_OF; // VirtualThread.scheduler, or null

    static {
        Constructor<?> builder = null;
        MethodHandle carrier = null;
        Throwable failure = null;
        try {
            Class<?> type = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            builder = type.getDeclaredConstructor(Executor.class);
            builder.setAccessible(true);
            carrier = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                    .findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
        } catch (Throwable e) { // InaccessibleObjectException, IllegalAccessException, NoSuchMethodException...
            failure = e;
            builder = null;
            carrier = null;
        }
        VIRTUAL_THREAD_BUILDER = builder;
        CURRENT_CARRIER_THREAD = carrier;
        FAILURE = failure;
        java.lang.invoke.VarHandle carrierOf = null;
        java.lang.invoke.VarHandle schedulerOf = null;
        if (failure == null) {
            try {
                Class<?> vt = Class.forName("java.lang.VirtualThread");
                carrierOf = MethodHandles.privateLookupIn(vt, MethodHandles.lookup())
                        .findVarHandle(vt, "carrierThread", Thread.class);
            } catch (Throwable e) { // another JDK layout: stall reports then cannot name the thread
                carrierOf = null;
            }
            try {
                Class<?> vt = Class.forName("java.lang.VirtualThread");
                schedulerOf = MethodHandles.privateLookupIn(vt, MethodHandles.lookup())
                        .findVarHandle(vt, "scheduler", Executor.class);
            } catch (Throwable e) { // another JDK layout: only threads on a loop are then known as a bridge's
                schedulerOf = null;
            }
        }
        CARRIER_OF = carrierOf;
        SCHEDULER_OF = schedulerOf;
    }

    /**
     * The carrier a virtual thread is mounted on now, or {@code null} (unmounted, not a virtual
     * thread, or a JDK without the field). A racy snapshot, for the stall watchdog.
     */
    public static Thread carrierOf(Thread thread) {
        if (CARRIER_OF == null || !thread.isVirtual()) {
            return null;
        }
        return (Thread) CARRIER_OF.getVolatile(thread);
    }

    /**
     * The scheduler of a virtual thread (the {@code Executor} it was built with, or its creator's),
     * wherever the thread runs now; {@code null} for a platform thread, or on a JDK without the field.
     */
    public static Executor schedulerOf(Thread thread) {
        if (SCHEDULER_OF == null || !thread.isVirtual()) {
            return null;
        }
        return (Executor) SCHEDULER_OF.get(thread);
    }

    private JdkAccess() {
    }

    /** Whether the custom scheduler can be installed in this JVM. */
    public static boolean isAvailable() {
        return FAILURE == null;
    }

    /**
     * The flag this JVM needs: {@value #OPENS_FLAG_MODULE_PATH} if vtbridge was loaded as the named
     * module {@code io.vtbridge} (module path), {@value #OPENS_FLAG_CLASS_PATH} otherwise (class path).
     */
    public static String opensFlag() {
        Module module = JdkAccess.class.getModule();
        return module.isNamed() ? "--add-opens java.base/java.lang=" + module.getName() : OPENS_FLAG_CLASS_PATH;
    }

    /**
     * @throws IllegalStateException naming {@link #opensFlag()} if the JDK internals are not reachable
     */
    public static void checkAvailable() {
        if (FAILURE != null) {
            String flag = opensFlag();
            String jarTip = JdkAccess.class.getModule().isNamed() ? ""
                    : " (or put 'Add-Opens: java.base/java.lang' in an executable jar's manifest)";
            throw new IllegalStateException("vtbridge cannot install its virtual-thread scheduler: run the JVM with "
                    + flag + jarTip + "; cause: " + FAILURE, FAILURE);
        }
    }

    /** A virtual-thread builder whose threads are scheduled by {@code scheduler}. */
    public static Thread.Builder.OfVirtual virtualThreadBuilder(Executor scheduler) {
        checkAvailable();
        try {
            return (Thread.Builder.OfVirtual) VIRTUAL_THREAD_BUILDER.newInstance(scheduler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create a virtual-thread builder with a custom scheduler", e);
        }
    }

    /** The JDK property that sets how many timer queues serve timed parks of custom-scheduled virtual threads. */
    public static final String TIMER_QUEUES_PROPERTY = "jdk.virtualThreadScheduler.timerQueues";

    /** The most timer queues {@link #spreadTimerQueues} asks for. */
    static final int MAX_TIMER_QUEUES = 256;

    /**
     * Gives each loop its own JDK timer queue for {@code Thread.sleep} / {@code parkNanos} in bridged
     * code, unless the user chose a value.
     *
     * <p>Why: when a virtual thread with a custom scheduler parks with a timeout, the JDK arms the
     * timer on the carrier, i.e. on the loop thread, in a {@code ScheduledThreadPoolExecutor}
     * ({@code VirtualThread.DelayedTaskSchedulers} on JDK 22+; one {@code UNPARKER} on JDK 21), whose
     * queue is guarded by a {@code ReentrantLock} shared with its timer thread. JDK 22+ keeps
     * {@value #TIMER_QUEUES_PROPERTY} such executors, picked by the carrier's thread id, and defaults
     * to {@code max(1, cpus / 4)}: on a small machine every loop contends for one lock, and a loop
     * can park on it (measured: up to 52 ms under load). Raising the count to the shard count gives
     * each loop a queue of its own, as long as the loop threads get consecutive ids, which they do
     * when no other thread is created while a bridge starts (otherwise two loops may share a queue:
     * slower, not wrong). Only the first bridge's count matters. The JDK reads the
     * property once, when it first needs such a timer; this call has no effect after that, nor on
     * JDK 21, which has a single timer thread. On JDK 25 the shards avoid this path altogether
     * ({@code io.vtbridge.loop.ForkJoinPoolFacade}); the property then has no effect.
     * {@code Bridge.sleep} avoids all of this: its timers live on the loop.
     *
     * @param queues the number of queues wanted; rounded up to a power of two, at most {@value #MAX_TIMER_QUEUES}
     */
    public static void spreadTimerQueues(int queues) {
        if (System.getProperty(TIMER_QUEUES_PROPERTY) == null) {
            int wanted = Math.min(MAX_TIMER_QUEUES, Math.max(1, queues));
            int powerOfTwo = Integer.highestOneBit(wanted) == wanted ? wanted : Integer.highestOneBit(wanted) << 1;
            System.setProperty(TIMER_QUEUES_PROPERTY, Integer.toString(powerOfTwo));
        }
    }

    private static volatile boolean socketPollersStarted; // set once the JDK's socket pollers exist

    /**
     * Makes the JDK start its socket pollers now, from a platform thread, unless they exist already.
     *
     * <p>Why: on JDK 25 (Linux) the pollers are virtual threads ({@code SubPoller-N}), created lazily
     * by the first virtual thread that waits on a socket, and a virtual thread created by another
     * one takes its scheduler. If that first waiter is bridged code, the JVM's socket pollers become
     * threads of one shard, and when that bridge closes, every virtual thread in the JVM that waits
     * on a socket waits forever (seen on JDK 25: a read on a plain virtual thread got nothing within
     * 5 s). Started from a platform thread they take the JDK's default scheduler. On JDKs where the
     * pollers are platform threads this only starts them a little early. A JDK without the class is
     * left alone.
     */
    public static void startSocketPollers() {
        if (socketPollersStarted) {
            return;
        }
        Thread starter = Thread.ofPlatform().daemon().name("vtbridge-poller-init").start(() -> {
            try {
                Class.forName("sun.nio.ch.Poller", true, null); // its static initialiser starts the pollers
            } catch (Throwable absent) {
                // another JDK layout: nothing to start
            }
        });
        try {
            starter.join();
            socketPollersStarted = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the next build() tries again
        }
    }

    /**
     * The platform thread carrying the current thread: the current thread itself if it is a platform
     * thread. Callers must have checked {@link #isAvailable()} (the bridge does at build()).
     */
    public static Thread currentCarrierThread() {
        try {
            return (Thread) CURRENT_CARRIER_THREAD.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.currentCarrierThread() failed", e);
        }
    }
}
