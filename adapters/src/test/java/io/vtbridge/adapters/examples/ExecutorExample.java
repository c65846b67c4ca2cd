package io.vtbridge.adapters.examples;

import com.sun.net.httpserver.HttpServer;
import io.vtbridge.Bridge;
import io.vtbridge.adapters.executor.BridgeExecutorService;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The README's executor example: the JDK's {@code HttpServer} with its handlers on a bridge, blocking
 * in legacy code (a lock and a sleep) without holding a shard, and a {@code CompletableFuture} stage
 * on the same service. {@link #run()} returns what the client saw; {@code ExecutorExampleTest}
 * checks it. The README copies the lines between the {@code README} markers.
 */
public final class ExecutorExample {

    private ExecutorExample() {
    }

    /** A legacy service: synchronous, guarded by a lock, slow. */
    static final class LegacyGreeter {
        private final ReentrantLock lock = new ReentrantLock();

        String greet(String name) {
            lock.lock();
            try {
                Thread.sleep(5); // a blocking call: the virtual thread unmounts, the shard serves others
                return "hello " + name;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            } finally {
                lock.unlock();
            }
        }
    }

    /** Starts the server on a bridge, asks it once, and returns the answer and a shard index. */
    public static String run() throws Exception {
        LegacyGreeter legacy = new LegacyGreeter();
        // README: begin
        try (Bridge bridge = Bridge.builder().shards(2).build();
             BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {       // a view: never closes the bridge
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/greet", exchange -> {                                 // a bridged virtual thread
                byte[] body = legacy.greet(exchange.getRequestURI().getQuery()).getBytes(UTF_8); // blocks; the shard does not
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.setExecutor(executor);
            server.start();
            CompletableFuture<Integer> shard = CompletableFuture.supplyAsync(() -> Bridge.current().orElseThrow().index(), executor);
            try (HttpClient client = HttpClient.newHttpClient()) {
                URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/greet?vtbridge");
                return client.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()).body() + " from shard " + shard.join();
            } finally {
                server.stop(0);
            }
        }   // executor.close() waits for its tasks, then bridge.close()
        // README: end
    }
}
