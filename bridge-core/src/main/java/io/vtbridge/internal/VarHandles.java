package io.vtbridge.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The one way vtbridge makes a field's {@link VarHandle}, so that each class declares its handles
 * as one line next to the field ({@code private static final VarHandle STATE =
 * VarHandles.field(MethodHandles.lookup(), "state", int.class);}) instead of a static block per class.
 *
 * <p><b>Threading:</b> stateless; called from static initialisers.
 */
public final class VarHandles {

    private VarHandles() {
    }

    /**
     * The handle of field {@code name} of type {@code type} in the class {@code lookup} was made in
     * ({@code MethodHandles.lookup()} in that class, so private fields are reachable).
     *
     * @throws ExceptionInInitializerError if there is no such field: a bug in the declaring class
     */
    public static VarHandle field(MethodHandles.Lookup lookup, String name, Class<?> type) {
        return field(lookup, lookup.lookupClass(), name, type);
    }

    /** The handle of field {@code name} of {@code owner}, a class {@code lookup} can reach (a nested class). */
    public static VarHandle field(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
