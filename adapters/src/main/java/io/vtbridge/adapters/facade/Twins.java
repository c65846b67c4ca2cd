package io.vtbridge.adapters.facade;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * Pairs each method of a facade's front interface with the method it calls on the object behind
 * it, and collects every mismatch into one {@link IllegalArgumentException}.
 *
 * <p>A front method is paired with the target's public method of the same name and the same
 * parameter types; failing that, with the only one of the same name and count whose parameters
 * accept the front's arguments (boxing counts: {@code int} and {@code Integer} accept each other).
 * Two such candidates are an overload that cannot be told apart, and are reported. Static methods,
 * default methods and the public methods of {@code Object} are not paired: the facades handle them
 * themselves.
 *
 * <p><b>Threading:</b> used by the one thread making a facade; the pairs it returns are immutable.
 */
final class Twins {

    /** Which side returns futures. */
    enum Direction {
        /** The front returns futures, the target blocks ({@link AsyncFacade}). */
        ASYNC_FRONT,
        /** The front blocks, the target returns futures ({@link SyncFacade}). */
        SYNC_FRONT
    }

    /**
     * A front method, the target method it calls (accessible to this module), and the index of its
     * {@link ShardKey} parameter, or -1.
     */
    record Pair(Method front, Method target, int keyIndex) {
    }

    private Twins() {
    }

    /**
     * The pairs, keyed by front method.
     *
     * @throws IllegalArgumentException listing every front method that has no counterpart, an
     *                                  ambiguous one, a counterpart whose type does not fit, or two
     *                                  {@link ShardKey} parameters
     */
    static Map<Method, Pair> pair(String facade, Class<?> front, Class<?> target, Direction direction) {
        List<String> problems = new ArrayList<>();
        Map<Method, Pair> pairs = new HashMap<>();
        List<Method> candidates = Arrays.stream(target.getMethods())
                .filter(m -> !m.isBridge() && !m.isSynthetic() && !Modifier.isStatic(m.getModifiers()))
                .toList();
        for (Method m : front.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || isObjectMethod(m)) {
                continue;
            }
            int problemsBefore = problems.size();
            Method counterpart = find(m, candidates, target, problems);
            if (counterpart != null) {
                checkTypes(m, counterpart, target, direction, problems);
            }
            int keyIndex = direction == Direction.ASYNC_FRONT ? keyIndex(m, problems) : -1;
            if (counterpart != null && problems.size() == problemsBefore) {
                Method callable = accessible(counterpart, target, problems);
                if (callable != null) {
                    pairs.put(m, new Pair(m, callable, keyIndex));
                }
            }
        }
        if (!problems.isEmpty()) {
            Set<String> distinct = new LinkedHashSet<>(problems); // a method inherited twice is reported once
            throw new IllegalArgumentException(facade + ": " + front.getName() + " does not match "
                    + target.getName() + " (" + distinct.size() + (distinct.size() == 1 ? " mismatch" : " mismatches") + "):"
                    + distinct.stream().map(p -> "\n  - " + p).collect(Collectors.joining()));
        }
        return Map.copyOf(pairs);
    }

    /** The counterpart of {@code m} among {@code candidates}, or null with a problem recorded. */
    private static Method find(Method m, List<Method> candidates, Class<?> target, List<String> problems) {
        List<Method> exact = new ArrayList<>();
        List<Method> loose = new ArrayList<>();
        for (Method c : candidates) {
            if (!c.getName().equals(m.getName()) || c.getParameterCount() != m.getParameterCount()) {
                continue;
            }
            if (Arrays.equals(c.getParameterTypes(), m.getParameterTypes())) {
                exact.add(c);
            } else if (accepts(c.getParameterTypes(), m.getParameterTypes())) {
                loose.add(c);
            }
        }
        if (!exact.isEmpty()) {
            return mostSpecificReturn(exact);
        }
        if (loose.size() == 1) {
            return loose.get(0);
        }
        if (loose.isEmpty()) {
            problems.add(describe(m) + ": no public method " + describe(m) + " in " + target.getSimpleName()
                    + " (same name, parameters that accept these arguments)");
        } else {
            problems.add(describe(m) + ": cannot be told apart from the overloads "
                    + loose.stream().map(Twins::describe).collect(Collectors.joining(", "))
                    + " of " + target.getSimpleName() + "; declare the exact parameter types of one");
        }
        return null;
    }

    /** Among methods with one signature (inherited from several supertypes), the one with the narrowest return type. */
    private static Method mostSpecificReturn(List<Method> sameSignature) {
        Method best = sameSignature.get(0);
        for (Method m : sameSignature) {
            if (best.getReturnType().isAssignableFrom(m.getReturnType())) {
                best = m;
            }
        }
        return best;
    }

    private static boolean accepts(Class<?>[] parameters, Class<?>[] arguments) {
        for (int i = 0; i < parameters.length; i++) {
            if (!box(parameters[i]).isAssignableFrom(box(arguments[i]))) {
                return false;
            }
        }
        return true;
    }

    private static void checkTypes(Method front, Method counterpart, Class<?> target, Direction direction,
                                   List<String> problems) {
        if (direction == Direction.ASYNC_FRONT) {
            Class<?> raw = front.getReturnType();
            if (raw != CompletableFuture.class && raw != CompletionStage.class) {
                problems.add(describe(front) + ": returns " + front.getGenericReturnType().getTypeName()
                        + "; an async twin returns CompletableFuture<T> or CompletionStage<T>");
                return;
            }
            Class<?> value = valueType(front.getGenericReturnType());
            Class<?> produced = box(counterpart.getReturnType());
            if (value != null && !value.isAssignableFrom(produced)) {
                problems.add(describe(front) + ": returns " + front.getGenericReturnType().getTypeName() + " but "
                        + target.getSimpleName() + "." + describe(counterpart) + " returns "
                        + counterpart.getGenericReturnType().getTypeName()
                        + (produced == Void.class ? " (a void method's twin returns a future of Void)" : ""));
            }
        } else {
            Class<?> raw = counterpart.getReturnType();
            if (!CompletionStage.class.isAssignableFrom(raw)) {
                problems.add(describe(front) + ": " + target.getSimpleName() + "." + describe(counterpart) + " returns "
                        + counterpart.getGenericReturnType().getTypeName() + ", not a CompletionStage");
                return;
            }
            Class<?> value = valueType(counterpart.getGenericReturnType());
            Class<?> wanted = front.getReturnType();
            if (value != null && wanted != void.class && !box(wanted).isAssignableFrom(value)) {
                problems.add(describe(front) + ": returns " + front.getGenericReturnType().getTypeName() + " but "
                        + target.getSimpleName() + "." + describe(counterpart) + " completes with "
                        + value.getName());
            }
        }
    }

    /** The index of the {@link ShardKey} parameter, -1 for none; two are a problem. */
    private static int keyIndex(Method m, List<String> problems) {
        int index = -1;
        for (int i = 0; i < m.getParameterCount(); i++) {
            if (m.getParameters()[i].isAnnotationPresent(ShardKey.class)) {
                if (index >= 0) {
                    problems.add(describe(m) + ": @ShardKey on parameters " + index + " and " + i + "; at most one may pick the shard");
                    return -1;
                }
                index = i;
            }
        }
        return index;
    }

    /**
     * {@code m}, or the same method declared by a public interface of {@code target}, whichever this
     * module may invoke; a target class that is not public is reached through its interfaces.
     */
    private static Method accessible(Method m, Class<?> target, List<String> problems) {
        if (Modifier.isPublic(m.getDeclaringClass().getModifiers()) && exported(m.getDeclaringClass())) {
            return m;
        }
        for (Class<?> type : interfaces(target)) {
            if (!Modifier.isPublic(type.getModifiers()) || !exported(type)) {
                continue;
            }
            try {
                return type.getMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException notInThisOne) {
                // try the next interface
            }
        }
        if (m.trySetAccessible()) {
            return m;
        }
        problems.add(describe(m) + ": " + m.getDeclaringClass().getName() + " is not accessible to module "
                + Twins.class.getModule().getName() + "; make it public in an exported package, or open its package");
        return null;
    }

    private static boolean exported(Class<?> type) {
        return type.getModule().isExported(type.getPackageName(), Twins.class.getModule());
    }

    private static Set<Class<?>> interfaces(Class<?> type) {
        Set<Class<?>> all = new LinkedHashSet<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            collect(c.getInterfaces(), all);
        }
        return all;
    }

    private static void collect(Class<?>[] interfaces, Set<Class<?>> into) {
        for (Class<?> i : interfaces) {
            if (into.add(i)) {
                collect(i.getInterfaces(), into);
            }
        }
    }

    /** The erasure of a future type's value type; null where it is not known (raw, a type variable, {@code ?}). */
    private static Class<?> valueType(Type futureType) {
        if (!(futureType instanceof ParameterizedType p) || p.getActualTypeArguments().length != 1) {
            return null;
        }
        return erasure(p.getActualTypeArguments()[0]);
    }

    private static Class<?> erasure(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (t instanceof GenericArrayType a) {
            Class<?> component = erasure(a.getGenericComponentType());
            return component == null ? null : component.arrayType();
        }
        if (t instanceof WildcardType w && w.getUpperBounds().length == 1 && w.getUpperBounds()[0] != Object.class) {
            return erasure(w.getUpperBounds()[0]);
        }
        return null; // a type variable or an unbounded wildcard: anything goes, checked at run time
    }

    static Class<?> box(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return switch (type.getName()) {
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "boolean" -> Boolean.class;
            case "double" -> Double.class;
            case "float" -> Float.class;
            case "char" -> Character.class;
            case "byte" -> Byte.class;
            case "short" -> Short.class;
            default -> Void.class;
        };
    }

    /** Whether {@code m} has the signature of one of {@code Object}'s public methods. */
    static boolean isObjectMethod(Method m) {
        try {
            Object.class.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException notOne) {
            return false;
        }
    }

    /** {@code name(Type, Type)}, with simple type names. */
    static String describe(Method m) {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(", ", "(", ")"));
    }
}
