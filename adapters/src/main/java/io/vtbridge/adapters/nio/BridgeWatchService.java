package io.vtbridge.adapters.nio;

import io.vtbridge.BridgeFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.Watchable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The platform watch service, with keys whose {@link WatchKey#watchable()} is the {@link BridgePath}
 * that was registered and events whose {@link WatchEvent#context()} is one of our paths, so that
 * {@code dir.resolve(event.context())} stays in our file system. The same platform key always maps
 * to the same key object, as {@code register}, {@code poll} and {@code take} promise.
 *
 * <p>Registration goes through {@link BridgeFiles#io}. {@link #take()} and {@link #poll(long, TimeUnit)}
 * are the platform's: they park (on a {@code LinkedBlockingDeque}), which a bridged virtual thread
 * does unmounted, so they need no pool thread.
 *
 * <p><b>Threading:</b> thread-safe, as the platform service.
 */
final class BridgeWatchService implements WatchService {

    private final BridgeFileSystem fileSystem;
    private final WatchService platform;
    private final ConcurrentHashMap<WatchKey, Key> keys = new ConcurrentHashMap<>(); // platform key -> ours, until cancelled

    BridgeWatchService(BridgeFileSystem fileSystem, WatchService platform) {
        this.fileSystem = fileSystem;
        this.platform = platform;
    }

    WatchKey register(BridgePath dir, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) throws IOException {
        Path platformDir = dir.platformPath();
        WatchKey key = BridgeFiles.io(() -> platformDir.register(platform, events, modifiers));
        return keys.computeIfAbsent(key, k -> new Key(k, dir));
    }

    @Override
    public void close() throws IOException {
        Closing.close(platform);
        keys.clear();
    }

    @Override
    public WatchKey poll() {
        return ours(platform.poll());
    }

    @Override
    public WatchKey poll(long timeout, TimeUnit unit) throws InterruptedException {
        return ours(platform.poll(timeout, unit));
    }

    @Override
    public WatchKey take() throws InterruptedException {
        return ours(platform.take());
    }

    private WatchKey ours(WatchKey key) {
        if (key == null) {
            return null;
        }
        Key known = keys.get(key);
        // A key cancelled meanwhile may still be signalled once: answer with a fresh wrapper for it.
        return known != null ? known : new Key(key, fileSystem.wrap((Path) key.watchable()));
    }

    /** A platform key seen through our paths. */
    private final class Key implements WatchKey {

        private final WatchKey platformKey;
        private final Path dir;

        Key(WatchKey platformKey, Path dir) {
            this.platformKey = platformKey;
            this.dir = dir;
        }

        @Override
        public boolean isValid() {
            return platformKey.isValid();
        }

        @Override
        public List<WatchEvent<?>> pollEvents() {
            List<WatchEvent<?>> events = platformKey.pollEvents();
            List<WatchEvent<?>> wrapped = new ArrayList<>(events.size());
            for (WatchEvent<?> event : events) {
                wrapped.add(event.context() instanceof Path name ? new Event<>(event, fileSystem.wrap(name)) : event);
            }
            return wrapped;
        }

        @Override
        public boolean reset() {
            boolean valid = platformKey.reset();
            if (!valid) {
                keys.remove(platformKey, this);
            }
            return valid;
        }

        @Override
        public void cancel() {
            platformKey.cancel();
            keys.remove(platformKey, this);
        }

        @Override
        public Watchable watchable() {
            return dir;
        }

        @Override
        public String toString() {
            return "BridgeWatchKey[" + dir + "]";
        }
    }

    /** A platform event whose context is one of our paths. */
    private record Event<T>(WatchEvent<?> platformEvent, Path path) implements WatchEvent<T> {

        @Override
        @SuppressWarnings("unchecked") // the context of a path event is a Path: kind is Kind<Path>
        public Kind<T> kind() {
            return (Kind<T>) platformEvent.kind();
        }

        @Override
        public int count() {
            return platformEvent.count();
        }

        @Override
        @SuppressWarnings("unchecked")
        public T context() {
            return (T) path;
        }
    }
}
