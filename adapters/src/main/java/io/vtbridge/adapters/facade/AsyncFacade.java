package io.vtbridge.adapters.facade;

import io.vtbridge.Bridge;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Lets asynchronous callers call blocking code through an async twin of its interface: each call
 * runs the blocking method as a bridged task and returns its future.
 *
 * <pre>{@code
 * interface Accounts {                                   // the legacy, blocking interface
 *     long balance(String id) throws SQLException;
 *     void deposit(String id, long cents) throws SQLException;
 * }
 * interface AsyncAccounts {                              // its twin, declared by the user
 *     CompletableFuture<Long> balance(@ShardKey String id);
 *     CompletionStage<Void> deposit(@ShardKey String id, long cents);
 * }
 *
 * AsyncAccounts accounts = AsyncFacade.of(AsyncAccounts.class, legacyAccounts, bridge);
 * accounts.deposit("alice", 500).thenCompose(v -> accounts.balance("alice")) ...
 * }</pre>
 *
 * <h2>Twins</h2>
 * Each abstract method of the async interface must have a public counterpart on the sync object:
 * the same name and parameter types (or, failing that, the only same-named method whose parameters
 * accept the arguments; {@code int} and {@code Integer} accept each other), and a return type that
 * fits: the twin returns {@code CompletableFuture<T>} or {@code CompletionStage<T>} where the sync
 * method returns {@code T} (boxed; {@code Void} for {@code void}; a future of a supertype is fine).
 * {@link #of} checks every method and throws one {@link IllegalArgumentException} listing every
 * mismatch: no counterpart, a wrong return type, an overload that cannot be told apart, two
 * {@link ShardKey} parameters.
 *
 * <h2>Calls</h2>
 * A call submits the sync method to the bridge ({@link Bridge#submit(java.util.concurrent.Callable)},
 * or {@link Bridge#submit(Object, java.util.concurrent.Callable)} with the value of the
 * {@link ShardKey} parameter) and returns the bridge's future, so the bridge's contract holds: it
 * completes exactly once; with the sync method's own exception as the cause when it throws
 * ({@code get()} throws an {@code ExecutionException} whose cause is that very exception); already
 * failed with {@link io.vtbridge.BridgeOverloadedException} when the bridge is at its in-flight
 * bound, or a {@code RejectedExecutionException} after it closed; {@code cancel(true)} interrupts
 * the call's virtual thread. A null {@link ShardKey} value throws {@link NullPointerException} at the
 * call. Arguments are passed as they are: the sync method runs later, on another thread, so the
 * caller must not change a mutable argument until the future completes.
 *
 * <p>Default methods of the async interface run as written, on the calling thread. The proxy's
 * {@code equals} is identity, {@code hashCode} the identity hash, and {@code toString} names both
 * interfaces and the bridge; none of them reaches the sync object.
 *
 * <p><b>Threading:</b> {@link #of} may be called from any thread; the facade may be called from any
 * thread, concurrently. The sync object is then called from several virtual threads at once: it must
 * be thread-safe as it would be under any multi-threaded caller (the calls of one
 * {@link ShardKey} value run on one shard, but may still interleave where they block).
 */
public final class AsyncFacade {

    private AsyncFacade() {
    }

    /**
     * An implementation of {@code asyncInterface} whose calls run the matching methods of
     * {@code syncImpl} on {@code bridge}.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code asyncInterface} is not an interface, or listing
     *                                  every method that does not match (see the class comment)
     */
    public static <A, S> A of(Class<A> asyncInterface, S syncImpl, Bridge bridge) {
        Objects.requireNonNull(asyncInterface, "asyncInterface");
        Objects.requireNonNull(syncImpl, "syncImpl");
        Objects.requireNonNull(bridge, "bridge");
        if (!asyncInterface.isInterface()) {
            throw new IllegalArgumentException("asyncInterface must be an interface: " + asyncInterface.getName());
        }
        Map<Method, Twins.Pair> pairs = Twins.pair("AsyncFacade", asyncInterface, syncImpl.getClass(),
                Twins.Direction.ASYNC_FRONT);
        Handler handler = new Handler(asyncInterface, syncImpl, bridge, pairs);
        return asyncInterface.cast(Proxy.newProxyInstance(loader(asyncInterface), new Class<?>[]{asyncInterface}, handler));
    }

    static ClassLoader loader(Class<?> type) {
        return type.getClassLoader() != null ? type.getClassLoader() : AsyncFacade.class.getClassLoader();
    }

    /**
     * Invokes {@code target} on {@code receiver}; what the method threw is rethrown as it is (an
     * Exception or an Error), never wrapped.
     */
    static Object invoke(Method target, Object receiver, Object[] args) throws Exception {
        try {
            return target.invoke(receiver, args);
        } catch (InvocationTargetException e) {
            Throwable thrown = e.getCause();
            if (thrown instanceof Exception exception) {
                throw exception;
            }
            if (thrown instanceof Error error) {
                throw error;
            }
            throw e;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("checked accessible when the facade was made: " + target, e);
        }
    }

    /** The answers of {@code equals}, {@code hashCode} and {@code toString}; null for another method. */
    static Object objectMethod(Object proxy, Method method, Object[] args, String description) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> description;
            default -> throw new IllegalStateException("not an Object method a proxy receives: " + method);
        };
    }

    /**
     * The proxy's handler: an immutable table from the interface's methods to the sync methods.
     *
     * <p><b>Threading:</b> any thread; immutable after construction.
     */
    private static final class Handler implements InvocationHandler {

        private static final Object[] NO_ARGS = {};

        private final Object syncImpl;
        private final Bridge bridge;
        private final Map<Method, Twins.Pair> pairs;
        private final String description;

        Handler(Class<?> asyncInterface, Object syncImpl, Bridge bridge, Map<Method, Twins.Pair> pairs) {
            this.syncImpl = syncImpl;
            this.bridge = bridge;
            this.pairs = pairs;
            this.description = "AsyncFacade[" + asyncInterface.getName() + " -> " + syncImpl.getClass().getName()
                    + " on " + bridge.name() + "]";
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, args, description);
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            Twins.Pair pair = pairs.get(method);
            if (pair == null) {
                throw new IllegalStateException("no twin for " + method + " in " + description);
            }
            Object[] arguments = args == null ? NO_ARGS : args; // the proxy made this array for this call alone
            Callable<Object> call = () -> AsyncFacade.invoke(pair.target(), syncImpl, arguments);
            if (pair.keyIndex() < 0) {
                return bridge.submit(call);
            }
            Object key = arguments[pair.keyIndex()];
            if (key == null) {
                throw new NullPointerException("the @ShardKey argument (parameter " + pair.keyIndex() + ") of "
                        + Twins.describe(method) + " is null");
            }
            CompletableFuture<Object> future = bridge.submit(key, call);
            return future;
        }
    }
}
