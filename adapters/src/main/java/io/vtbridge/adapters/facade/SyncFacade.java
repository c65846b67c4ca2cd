package io.vtbridge.adapters.facade;

import io.vtbridge.Bridge;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Lets legacy, blocking code call an asynchronous service as if it blocked: each call of the sync
 * interface calls the service's matching method and waits for its future with
 * {@link Bridge#await(CompletionStage)}. In bridged code the waiting virtual thread unmounts and
 * holds no thread (its shard runs others meanwhile); anywhere else the calling thread blocks.
 *
 * <pre>{@code
 * interface Quotes {                                     // what the legacy code was written against
 *     BigDecimal price(String symbol) throws IOException;
 * }
 * Quotes quotes = SyncFacade.of(Quotes.class, asyncQuoteClient);  // CompletableFuture<BigDecimal> price(String)
 * bridge.submit(() -> legacyPricer.run(quotes));         // legacy code calls quotes.price(...) and suspends
 * }</pre>
 *
 * <h2>Twins</h2>
 * Each abstract method of the sync interface must have a public counterpart on the async object
 * with the same name and parameter types (or the only one whose parameters accept the arguments),
 * returning a {@code CompletionStage} (any subtype) of a value the sync method can return.
 * {@link #of} reports every mismatch in one {@link IllegalArgumentException}.
 *
 * <h2>Results and failures</h2>
 * The call returns the future's value (nothing for a {@code void} method). When the future fails,
 * the call throws the failure itself if it is unchecked or a checked exception the sync method
 * declares; any other checked failure arrives in a {@link CompletionException} whose cause it is. A
 * cancelled future throws its {@code CancellationException}. If the async method itself throws, that
 * is rethrown the same way (an {@link InterruptedException} it throws included: that is its outcome,
 * not an interrupted wait, and the interrupt status is left alone); if it returns null, the call
 * throws {@link NullPointerException}. A primitive-returning method whose future completes with null
 * throws {@link NullPointerException}.
 *
 * <p>If the waiting thread is interrupted while it waits for the future, the call stops waiting (the
 * async operation is left to run; cancel it yourself if you need to) and throws
 * {@link InterruptedException} when the sync method declares it; otherwise it keeps the thread's
 * interrupt status set and throws a {@link CompletionException} whose cause is the
 * {@link InterruptedException}.
 *
 * <p>Default methods of the sync interface run as written; {@code equals} is identity,
 * {@code hashCode} the identity hash, {@code toString} names both sides.
 *
 * <p><b>Threading:</b> {@link #of} and the facade may be called from any thread, concurrently; the
 * async object is called from the calling threads and must be thread-safe as usual.
 */
public final class SyncFacade {

    private SyncFacade() {
    }

    /**
     * An implementation of {@code syncInterface} whose calls wait for the matching methods of
     * {@code asyncImpl}.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code syncInterface} is not an interface, or listing every
     *                                  method that does not match (see the class comment)
     */
    public static <S> S of(Class<S> syncInterface, Object asyncImpl) {
        Objects.requireNonNull(syncInterface, "syncInterface");
        Objects.requireNonNull(asyncImpl, "asyncImpl");
        if (!syncInterface.isInterface()) {
            throw new IllegalArgumentException("syncInterface must be an interface: " + syncInterface.getName());
        }
        Map<Method, Twins.Pair> pairs = Twins.pair("SyncFacade", syncInterface, asyncImpl.getClass(),
                Twins.Direction.SYNC_FRONT);
        Handler handler = new Handler(syncInterface, asyncImpl, pairs);
        return syncInterface.cast(Proxy.newProxyInstance(AsyncFacade.loader(syncInterface), new Class<?>[]{syncInterface}, handler));
    }

    /**
     * The proxy's handler: an immutable table from the sync interface's methods to the async methods.
     *
     * <p><b>Threading:</b> any thread; immutable after construction.
     */
    private static final class Handler implements InvocationHandler {

        private final Object asyncImpl;
        private final Map<Method, Twins.Pair> pairs;
        private final String description;

        Handler(Class<?> syncInterface, Object asyncImpl, Map<Method, Twins.Pair> pairs) {
            this.asyncImpl = asyncImpl;
            this.pairs = pairs;
            this.description = "SyncFacade[" + syncInterface.getName() + " -> " + asyncImpl.getClass().getName() + "]";
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return AsyncFacade.objectMethod(proxy, method, args, description);
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            Twins.Pair pair = pairs.get(method);
            if (pair == null) {
                throw new IllegalStateException("no twin for " + method + " in " + description);
            }
            Object stage;
            try {
                stage = AsyncFacade.invoke(pair.target(), asyncImpl, args == null ? new Object[0] : args);
            } catch (RuntimeException | Error unchecked) {
                throw unchecked;
            } catch (Exception thrownByAsyncMethod) {
                // Thrown by the async method itself, before any wait: an InterruptedException here is
                // that method's outcome, not an interrupted wait, so the interrupt status is left as is.
                throw declaredOrWrapped(method, thrownByAsyncMethod);
            }
            if (stage == null) {
                throw new NullPointerException(asyncImpl.getClass().getSimpleName() + "." + Twins.describe(pair.target())
                        + " returned null instead of a CompletionStage");
            }
            Object value;
            try {
                value = Bridge.await((CompletionStage<?>) stage);
            } catch (InterruptedException e) {
                // Only the wait throws this: this thread was interrupted while it waited.
                if (declares(method, InterruptedException.class)) {
                    throw e;
                }
                Thread.currentThread().interrupt();
                throw new CompletionException("interrupted while waiting for " + Twins.describe(pair.target())
                        + " of " + asyncImpl.getClass().getSimpleName(), e);
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception && !(cause instanceof RuntimeException) && declares(method, cause.getClass())) {
                    throw cause;
                }
                throw e;
            }
            Class<?> returns = method.getReturnType();
            if (returns == void.class) {
                return null;
            }
            if (value == null && returns.isPrimitive()) {
                throw new NullPointerException(Twins.describe(method) + " returns " + returns.getName()
                        + " but the future of " + asyncImpl.getClass().getSimpleName() + "." + Twins.describe(pair.target())
                        + " completed with null");
            }
            return value;
        }

        /** A checked exception the sync method declares, as it is; any other in a {@link CompletionException}. */
        private static Exception declaredOrWrapped(Method method, Exception checked) {
            return declares(method, checked.getClass()) ? checked : new CompletionException(checked);
        }

        private static boolean declares(Method method, Class<?> thrown) {
            for (Class<?> declared : method.getExceptionTypes()) {
                if (declared.isAssignableFrom(thrown)) {
                    return true;
                }
            }
            return false;
        }
    }
}
