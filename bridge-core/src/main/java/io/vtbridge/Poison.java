package io.vtbridge;

import io.vtbridge.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Marks a piece of state as unusable once a section that modifies it ends half-way: cancelled
 * (an interrupt from {@code future.cancel(true)}), or failed with an exception.
 *
 * <p>Bridged code is ordinary blocking code, so a cancellation arrives as an exception thrown from
 * whatever call the task was blocked in, and any state it was changing is left as it was at that
 * moment. A {@code Poison} makes that visible: arm it before the first change, disarm it after the
 * last, and if the section is left while still armed, every later {@link #checkAndArm()} throws a
 * {@link PoisonedException} that says what was poisoned, when, by which thread, and why (if known),
 * instead of letting the next task work on inconsistent data.
 *
 * <pre>{@code
 * lock.lock();                                   // Poison is not a lock: bring your own
 * try (Poison.Guard<Index> guard = index.checkAndArm()) {
 *     guard.data().beginRebuild();
 *     Thread.sleep(...);                         // cancelled here: close() poisons
 *     guard.data().finishRebuild();
 *     guard.disarm();                            // consistent again
 * } finally {
 *     lock.unlock();
 * }
 *
 * int size = index.call(Index::rebuildAndCount); // the same, for a section without checked exceptions
 * }</pre>
 *
 * <p>Once poisoned, a {@code Poison} stays poisoned: recovery (rebuilding the state, or dropping it)
 * is the owner's decision, made by replacing the {@code Poison}.
 *
 * <p>States, held in one field and changed only by the CAS helpers below:
 * <pre>
 *   CLEAN     -> ARMED(g)   checkAndArm() returns guard g    casState(CLEAN, g)
 *   ARMED(g)  -> CLEAN      g.disarm(): the section finished casState(g, CLEAN)
 *   ARMED(g)  -> POISONED   g.close() or a failed call()/run() while still armed
 *                                                            casState(g, poisoning)
 *   POISONED                final
 * </pre>
 * ARMED holds the guard that armed it, so a guard acts only on its own arming: a guard that was
 * disarmed or closed fails its CAS and cannot disarm or poison a later section's arming.
 *
 * <p><b>Threading:</b> every method, of {@code Poison} and of {@link Guard}, may be called from any
 * thread. A {@code Poison} only tracks whether the state is consistent; it does not make access to
 * the state safe. Callers protect the state itself with their own lock, and arm inside it: a second
 * {@link #checkAndArm()} while armed is a misuse and throws {@link IllegalStateException} naming the
 * arming thread (it does not wait). Access modes: volatile reads and {@code compareAndSet} only,
 * sequentially consistent; the guard and the poisoning record are immutable and published by the CAS.
 *
 * @param <T> the type of the guarded state
 */
public final class Poison<T> {

    /** The CLEAN state; ARMED is the arming {@link Guard}, POISONED a {@link Poisoning}. */
    private static final Object CLEAN = new Object() {
        @Override
        public String toString() {
            return "clean";
        }
    };

    private static final VarHandle STATE = VarHandles.field(MethodHandles.lookup(), "state", Object.class);

    private final String what;
    private final T data;
    private volatile Object state = CLEAN; // CLEAN | Guard (ARMED) | Poisoning (POISONED); see the table above

    /**
     * @param what  names the guarded state in error messages, e.g. {@code "walredo process"}
     * @param state the guarded state (may be null)
     * @throws NullPointerException if {@code what} is null
     */
    public Poison(String what, T state) {
        this.what = Objects.requireNonNull(what, "what");
        this.data = state;
    }

    /**
     * Checks that the state is consistent and arms this poison for a section that modifies it. The
     * section ends with {@link Guard#disarm()} if it completed, and with {@link Guard#close()} in
     * every case (try-with-resources): a guard closed while still armed poisons the state.
     *
     * @throws PoisonedException     if an earlier section was left while armed
     * @throws IllegalStateException if a section is armed right now (naming the thread that armed it):
     *                               callers must serialise sections with their own lock
     */
    public Guard<T> checkAndArm() {
        Guard<T> guard = new Guard<>(this, Thread.currentThread());
        Object seen = compareAndExchangeState(CLEAN, guard);
        if (seen == CLEAN) {
            return guard;
        }
        throw refusal(seen);
    }

    /**
     * Runs {@code section} on the state as an armed section: disarms if it returns normally; if it
     * throws anything, poisons the state with that throwable as the recorded cause and rethrows it.
     *
     * @return what {@code section} returned
     * @throws PoisonedException     if the state is poisoned already ({@code section} does not run)
     * @throws IllegalStateException if a section is armed right now
     * @throws NullPointerException  if {@code section} is null
     */
    public <R> R call(Function<? super T, ? extends R> section) {
        Objects.requireNonNull(section, "section");
        Guard<T> guard = checkAndArm();
        R result;
        try {
            result = section.apply(guard.data());
        } catch (Throwable failure) {
            guard.poison(failure);
            throw failure; // unchecked only: Function.apply declares no checked exceptions
        }
        guard.disarm();
        return result;
    }

    /**
     * {@link #call} for a section without a result.
     *
     * @throws PoisonedException     if the state is poisoned already ({@code section} does not run)
     * @throws IllegalStateException if a section is armed right now
     * @throws NullPointerException  if {@code section} is null
     */
    public void run(Consumer<? super T> section) {
        Objects.requireNonNull(section, "section");
        call(state -> {
            section.accept(state);
            return null;
        });
    }

    /** Whether a section was left while armed. Final once true. */
    public boolean isPoisoned() {
        return state instanceof Poisoning;
    }

    /** When the state was poisoned, or empty if it is not. */
    public Optional<Instant> poisonedAt() {
        return state instanceof Poisoning p ? Optional.of(p.at) : Optional.empty();
    }

    /** The name given at construction. */
    public String what() {
        return what;
    }

    @Override
    public String toString() {
        Object s = state;
        String described;
        if (s instanceof Guard<?> g) {
            described = "armed by " + describe(g.armer);
        } else if (s instanceof Poisoning p) {
            described = "poisoned at " + p.at + " by " + p.thread;
        } else {
            described = "clean";
        }
        return "Poison[" + what + ", " + described + "]";
    }

    // ---- state transitions ----------------------------------------------------------------------

    /** One CAS; returns the witness value (equal to {@code expected} if it succeeded). */
    private Object compareAndExchangeState(Object expected, Object next) {
        return STATE.compareAndExchange(this, expected, next);
    }

    private boolean casState(Object expected, Object next) {
        return STATE.compareAndSet(this, expected, next);
    }

    private RuntimeException refusal(Object seen) {
        if (seen instanceof Poisoning p) {
            return new PoisonedException(what, p.at, p.thread, p.cause);
        }
        Guard<?> armed = (Guard<?>) seen;
        return new IllegalStateException(what + " is already armed by " + describe(armed.armer)
                + ": Poison is not a lock; serialise the sections that arm it with a lock of your own");
    }

    /** A thread as error messages show it: virtual threads often have no name, so the id comes first. */
    static String describe(Thread thread) {
        String name = thread.getName();
        return (thread.isVirtual() ? "virtual thread #" : "thread #") + thread.threadId()
                + (name.isEmpty() ? "" : " '" + name + "'");
    }

    /** The POISONED state: immutable, published by the CAS that installs it. */
    private record Poisoning(Instant at, String thread, Throwable cause) {
    }

    // ---- guard ----------------------------------------------------------------------------------

    /**
     * One armed section, returned by {@link Poison#checkAndArm()}. Single use: after {@link #disarm()}
     * or a poisoning {@link #close()} it no longer gives access to the state.
     *
     * <p><b>Threading:</b> any thread may call; normally the thread that armed it does all three.
     *
     * @param <T> the type of the guarded state
     */
    public static final class Guard<T> implements AutoCloseable {

        private final Poison<T> poison;
        private final Thread armer;

        private Guard(Poison<T> poison, Thread armer) {
            this.poison = poison;
            this.armer = armer;
        }

        /**
         * The guarded state.
         *
         * @throws IllegalStateException if this guard was already disarmed or closed
         */
        public T data() {
            checkArmed("data()");
            return poison.data;
        }

        /**
         * Ends the section as completed: the state is consistent again and the next
         * {@link Poison#checkAndArm()} succeeds.
         *
         * @throws IllegalStateException if this guard was already disarmed or closed
         */
        public void disarm() {
            if (!poison.casState(this, CLEAN)) {
                throw released("disarm()");
            }
        }

        /**
         * Ends the section: if it is still armed (no {@link #disarm()}), poisons the state, recording
         * now, the current thread, and no cause. Does nothing if the guard was disarmed or closed.
         */
        @Override
        public void close() {
            poison(null);
        }

        /** Poisons with {@code cause} if still armed; otherwise does nothing. */
        void poison(Throwable cause) {
            if (poison.state != this) {
                return; // disarmed or closed already: only its own arming is this guard's to poison
            }
            Poisoning poisoning = new Poisoning(Instant.now(), describe(Thread.currentThread()), cause);
            poison.casState(this, poisoning); // fails only if a concurrent disarm()/close() of this guard won
        }

        private void checkArmed(String method) {
            if (poison.state != this) {
                throw released(method);
            }
        }

        private IllegalStateException released(String method) {
            return new IllegalStateException(method + " on a guard of " + poison.what
                    + " that was already disarmed or closed (armed by " + describe(armer) + ")");
        }

        @Override
        public String toString() {
            return "Poison.Guard[" + poison.what + ", armed by " + describe(armer)
                    + (poison.state == this ? "" : ", released") + "]";
        }
    }
}
