/**
 * vtbridge adapters: glue between legacy blocking code and a bridge, with no change to that code.
 * <ul>
 *   <li>{@link io.vtbridge.adapters.facade}: an async twin of a sync interface, and the reverse;</li>
 *   <li>{@link io.vtbridge.adapters.executor}: an {@code ExecutorService} whose tasks run on shards;</li>
 *   <li>{@link io.vtbridge.adapters.jdbc}: JDBC over any {@code DataSource} for async callers;</li>
 *   <li>{@link io.vtbridge.adapters.io}: blocking streams and child processes behind suspend/resume;</li>
 *   <li>{@link io.vtbridge.adapters.nio}: a {@code java.nio.file} provider that moves the file I/O of
 *       bridged code to the bridge's blocking pool.</li>
 * </ul>
 *
 * <p>Install the provider as the JVM's default with
 * {@code -Djava.nio.file.spi.DefaultFileSystemProvider=io.vtbridge.adapters.nio.BridgeFileSystemProvider};
 * put this module and {@code io.vtbridge} on the same path (both on the module path, or both on the
 * class path).
 */
module io.vtbridge.adapters {
    requires transitive io.vtbridge;
    requires transitive java.sql;

    exports io.vtbridge.adapters.facade;
    exports io.vtbridge.adapters.executor;
    exports io.vtbridge.adapters.jdbc;
    exports io.vtbridge.adapters.io;
    exports io.vtbridge.adapters.nio;
}
