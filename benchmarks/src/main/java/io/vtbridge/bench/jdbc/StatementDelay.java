package io.vtbridge.bench.jdbc;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;

/**
 * A {@link DataSource} whose prepared statements sleep ({@link Thread#sleep(Duration)}) before each
 * {@code execute*}: a stand-in for a remote database's round trip, the same in every mode of
 * {@link JdbcHarness}. On a virtual thread (bridged or not) the sleep unmounts it; on a platform
 * thread it blocks the thread, as a socket read would.
 *
 * <p><b>Threading:</b> stateless apart from the delay; the proxies are as thread-safe as what they wrap.
 */
final class StatementDelay {

    private StatementDelay() {
    }

    static DataSource around(DataSource pool, Duration delay) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = call(pool, method, args);
                    return result instanceof Connection c ? connection(c, delay) : result;
                });
    }

    private static Connection connection(Connection real, Duration delay) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    Object result = call(real, method, args);
                    return result instanceof PreparedStatement s ? statement(s, delay) : result;
                });
    }

    private static PreparedStatement statement(PreparedStatement real, Duration delay) {
        return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("execute")) {
                        Thread.sleep(delay);
                    }
                    return call(real, method, args);
                });
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
