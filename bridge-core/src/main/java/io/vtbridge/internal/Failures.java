package io.vtbridge.internal;

/**
 * Rethrowing what a piece of code threw, after something wrapped it on the way (an
 * {@code ExecutionException}, a {@code CompletionException}, an {@code InvocationTargetException}, or
 * a copy that caught it to clean up first): unchecked throwables and the caller's declared checked
 * type come out as themselves; the caller decides what to do with anything else.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class Failures {

    private Failures() {
    }

    /** Throws {@code thrown} itself if it is a {@link RuntimeException} or an {@link Error}; returns otherwise. */
    public static void throwIfUnchecked(Throwable thrown) {
        throwIfUncheckedOr(thrown, RuntimeException.class);
    }

    /**
     * Throws {@code thrown} itself if it is a {@link RuntimeException}, an {@link Error} or a
     * {@code declared}; returns normally otherwise (also for {@code null}), so that the caller can
     * throw the wrapper or wrap the checked throwable it cannot declare.
     */
    public static <X extends Throwable> void throwIfUncheckedOr(Throwable thrown, Class<X> declared) throws X {
        if (thrown instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        if (declared.isInstance(thrown)) {
            throw declared.cast(thrown);
        }
    }
}
