package io.vtbridge.adapters.examples;

import com.sun.net.httpserver.HttpServer;
import io.vtbridge.Bridge;
import io.vtbridge.adapters.executor.BridgeExecutorService;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The README's executor example: the JDK's {@code HttpServer} with its handlers on a bridge, blocking
 * in legacy code (a lock and a sleep) without holding a shard. {@link #run()} returns what the
 * client saw; {@code ExecutorExampleTest} checks it.
 */
public final class ExecutorExample {

    private ExecutorExample() {
    }

    /** A legacy service: synchronous, guarded by a lock, slow. */
    static final class LegacyGreeter {
        private final ReentrantLock lock = new ReentrantLock();

        String greet(String name) throws InterruptedException {
            lock.lock();
            try {
                Thread.sleep(5); // a blocking call: the virtual thread unmounts, the shard serves others
                return "hello " + name;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Starts the server on a bridge, asks it once, and returns the answer. */
    public static String run() throws Exception {
        LegacyGreeter legacy = new LegacyGreeter();
        // README: begin
        try (Bridge bridge = Bridge.builder().shards(2).build();
             BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {   // a view: closing it leaves the bridge open

            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/greet", exchange -> {                           // runs as a bridged virtual thread
                try (exchange) {
                    String name = exchange.getRequestURI().getQuery();
                    byte[] body = legacy.greet(name).getBytes(StandardCharsets.UTF_8);  // blocks; the shard does not
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.setExecutor(executor);
            server.start();

            CompletableFuture<String> onShard = CompletableFuture.supplyAsync(
                    () -> "computed on shard " + Bridge.current().orElseThrow().index(), executor);

            try (HttpClient client = HttpClient.newHttpClient()) {
                URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/greet?vtbridge");
                String reply = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
                return reply + ", " + onShard.join().startsWith("computed on shard");
            } finally {
                server.stop(0);
            }
        }   // executor.close() waits for its tasks, then bridge.close()
        // README: end
    }
}
