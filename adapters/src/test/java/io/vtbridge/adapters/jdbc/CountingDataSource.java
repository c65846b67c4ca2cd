package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

/**
 * A {@link DataSource} around a real pool that counts what its users do: the connections asked for
 * and not yet closed ({@link #held()}: from the call of {@code getConnection} to the
 * {@code close()} of what it returned, so waiting inside the pool counts), their peak, and the
 * connections handed out in all. It can also make a statement take longer (a remote database's
 * round trip, {@link #statementLatency}), and make {@code commit} or {@code rollback} fail.
 *
 * <p><b>Threading:</b> thread-safe; the settings are volatile and read at each use.
 */
final class CountingDataSource implements DataSource {

    private final DataSource pool;
    private final AtomicInteger held = new AtomicInteger();      // asked for and not closed
    private final AtomicInteger maxHeld = new AtomicInteger();
    private final AtomicInteger handedOut = new AtomicInteger();
    private final AtomicInteger maxWaiting = new AtomicInteger(); // the peak of waitingProbe, read at each getConnection
    final List<String> autoCommitCalls = new CopyOnWriteArrayList<>();
    volatile Duration statementLatency = Duration.ZERO;          // before each execute*: Bridge.sleep (a loop timer in bridged code)
    volatile SQLException failCommit;
    volatile SQLException failRollback;
    volatile IntSupplier waitingProbe = () -> 0;

    CountingDataSource(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public Connection getConnection() throws SQLException {
        int now = held.incrementAndGet();
        maxHeld.accumulateAndGet(now, Math::max);
        maxWaiting.accumulateAndGet(waitingProbe.getAsInt(), Math::max);
        Connection real;
        try {
            real = pool.getConnection();
        } catch (Throwable t) {
            held.decrementAndGet();
            throw t;
        }
        handedOut.incrementAndGet();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new ConnectionHandler(real));
    }

    /** Connections asked for and not closed now. */
    int held() {
        return held.get();
    }

    /** The peak of {@link #held()}. */
    int maxHeld() {
        return maxHeld.get();
    }

    /** Connections the pool handed out in all. */
    int handedOut() {
        return handedOut.get();
    }

    /** The peak of {@link #waitingProbe} seen at a {@code getConnection}. */
    int maxWaiting() {
        return maxWaiting.get();
    }

    private final class ConnectionHandler implements InvocationHandler {
        private final Connection real;
        private boolean closed; // the user's thread only

        ConnectionHandler(Connection real) {
            this.real = real;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close" -> {
                    if (!closed) {
                        closed = true;
                        try {
                            real.close();
                        } finally {
                            held.decrementAndGet();
                        }
                    }
                    return null;
                }
                case "commit" -> {
                    SQLException f = failCommit;
                    if (f != null) {
                        throw f;
                    }
                }
                case "rollback" -> {
                    SQLException f = failRollback;
                    if (f != null && (args == null || args.length == 0)) {
                        throw f;
                    }
                }
                case "setAutoCommit" -> autoCommitCalls.add("setAutoCommit(" + args[0] + ")");
                default -> {
                }
            }
            Object result = call(real, method, args);
            if (result instanceof PreparedStatement statement) {
                return Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                        new Class<?>[] {PreparedStatement.class}, (p, m, a) -> {
                            if (m.getName().startsWith("execute")) {
                                Duration latency = statementLatency;
                                if (!latency.isZero()) {
                                    Bridge.sleep(latency);
                                }
                            }
                            return call(statement, m, a);
                        });
            }
            return result;
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause(); // the driver's own exception, unchanged
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("tests use getConnection()");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return pool.isWrapperFor(iface);
    }
}
