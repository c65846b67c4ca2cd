/**
 * A {@code java.nio.file} provider that runs file I/O of bridged code on the bridge's blocking pool
 * ({@link io.vtbridge.BridgeFiles#io}), so that legacy code using {@code Files}, {@code FileChannel}
 * and {@code Path} stops holding its shard during file I/O without a line changed. Install it with
 * {@code -Djava.nio.file.spi.DefaultFileSystemProvider=io.vtbridge.adapters.nio.BridgeFileSystemProvider};
 * see {@link io.vtbridge.adapters.nio.BridgeFileSystemProvider} and {@code docs/FILES.md}.
 *
 * <p>Wrappers by role: {@code BridgeFileSystem} and {@code BridgePath} (the path world: wrap what
 * goes out, unwrap what comes in, no I/O), {@code BridgeFileChannel}, {@code BridgeByteChannel},
 * {@code BridgeInputStream}, {@code BridgeOutputStream}, {@code BridgeDirectoryStream},
 * {@code BridgeWatchService}, {@code BridgedAttributeView} (the I/O, each call through
 * {@code BridgeFiles.io}), {@code Closing} (closes that never leak).
 */
package io.vtbridge.adapters.nio;
