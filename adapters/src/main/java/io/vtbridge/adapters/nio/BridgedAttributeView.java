package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;
import io.vtbridge.internal.Failures;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.attribute.FileAttributeView;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A platform {@link FileAttributeView} whose methods each run through {@link BridgeFiles#io}
 * ({@code readAttributes}, {@code setTimes}, {@code setPermissions}, {@code setOwner}, ACL and
 * user-defined attribute calls), except {@code name()}, which touches no file. It is a dynamic proxy
 * that implements every public {@code java.nio.file.attribute} interface the platform view does, so
 * a cast that works on the platform's view works on it. A view of another package (a provider
 * extension) is returned as is.
 *
 * <p><b>Threading:</b> as thread-safe as the platform view.
 */
final class BridgedAttributeView implements InvocationHandler {

    private static final String ATTRIBUTE_PACKAGE = "java.nio.file.attribute";

    private final FileAttributeView platform;

    private BridgedAttributeView(FileAttributeView platform) {
        this.platform = platform;
    }

    /** {@code view}, its I/O bridged, as a {@code type}. */
    static <V extends FileAttributeView> V of(V view, Class<V> type) {
        if (!type.getPackageName().equals(ATTRIBUTE_PACKAGE)) {
            return view;
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        interfaces.add(type);
        for (Class<?> c = view.getClass(); c != null; c = c.getSuperclass()) {
            addAttributeInterfaces(c, interfaces);
        }
        Object proxy = Proxy.newProxyInstance(BridgedAttributeView.class.getClassLoader(),
                interfaces.toArray(Class<?>[]::new), new BridgedAttributeView(view));
        return type.cast(proxy);
    }

    private static void addAttributeInterfaces(Class<?> c, Set<Class<?>> into) {
        for (Class<?> i : c.getInterfaces()) {
            if (Modifier.isPublic(i.getModifiers()) && i.getPackageName().equals(ATTRIBUTE_PACKAGE)) {
                into.add(i);
            }
            addAttributeInterfaces(i, into);
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "Bridged" + platform; // toString
            };
        }
        if (method.getName().equals("name") && method.getParameterCount() == 0) {
            return platform.name();
        }
        return BridgeFiles.io(() -> invokePlatform(method, args));
    }

    /** Calls the platform view, rethrowing what it threw as itself. */
    private Object invokePlatform(Method method, Object[] args) throws IOException {
        try {
            return method.invoke(platform, args);
        } catch (InvocationTargetException e) {
            Failures.throwIfUncheckedOr(e.getCause(), IOException.class);
            throw new UndeclaredThrowableException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call " + method + " on " + platform, e);
        }
    }
}
