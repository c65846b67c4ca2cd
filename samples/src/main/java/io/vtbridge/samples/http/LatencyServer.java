package io.vtbridge.samples.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vtbridge.Bridge;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * The server of the http-latency sample in one {@link LatencyMode}: {@code /call?k=KEY} makes the
 * {@link LegacyStore} call for {@code KEY} and answers the key's new count.
 *
 * <p><b>Threading:</b> the handler runs on the mode's executor; the constructor, {@link #uris} and
 * {@link #close} from one controlling thread; {@link #calls} from any thread.
 */
final class LatencyServer implements AutoCloseable {

    /** The bridge's name: the prefix of its threads' names. */
    static final String BRIDGE_NAME = "http-latency";

    private final Bridge bridge;                           // null unless the mode is bridge
    private final ExecutorService executor;
    private final LegacyStore store;
    private final HttpServer server;

    LatencyServer(LatencyMode mode, int port, int shards, Duration remote) throws IOException {
        this.store = new LegacyStore(remote);
        this.bridge = mode == LatencyMode.BRIDGE ? Bridge.builder().name(BRIDGE_NAME).shards(shards).build() : null;
        this.executor = mode.executor(bridge);
        try {
            this.server = LoopbackServer.start(port, executor, Map.of("/call", this::call));
        } catch (IOException | RuntimeException e) {
            closeExecutors();
            throw e;
        }
    }

    private void call(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        int key;
        try {
            key = Integer.parseInt(query.substring(query.indexOf("k=") + 2));
        } catch (RuntimeException e) {
            LoopbackServer.respond(exchange, 400, "want /call?k=INTEGER, got " + query);
            return;
        }
        long count;
        try {
            count = store.call(key);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: the server is closing", e);
        }
        LoopbackServer.respond(exchange, 200, Long.toString(count));
    }

    /** {@code keys} addresses of {@code /call}, one per key 0..keys-1. */
    URI[] uris(int keys) {
        URI[] uris = new URI[keys];
        for (int k = 0; k < keys; k++) {
            uris[k] = LoopbackServer.uri(server, "/call?k=" + k);
        }
        return uris;
    }

    /** Legacy calls completed so far (each answered 200, or about to be). */
    long calls() {
        return store.total();
    }

    /** Stops the server, then closes the executor and the bridge: no thread is left. */
    @Override
    public void close() {
        server.stop(0);
        closeExecutors();
    }

    private void closeExecutors() {
        executor.close();                                  // waits for the handlers; never closes the bridge
        if (bridge != null) {
            bridge.close();
        }
    }
}
