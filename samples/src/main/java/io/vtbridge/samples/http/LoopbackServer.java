package io.vtbridge.samples.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The JDK's {@code com.sun.net.httpserver.HttpServer} as the HTTP samples run it: on loopback only,
 * its handlers on the executor under test, and the small helpers every handler needs.
 *
 * <p>{@link #start} sets {@code sun.net.httpserver.nodelay=true} unless the JVM was given a value:
 * the server writes a response's headers and body in separate writes, and without
 * {@code TCP_NODELAY} the body of a small response can wait for the client's delayed ACK (tens of
 * milliseconds on Linux), which would swamp every mode's latency alike. The server reads the
 * property once, when its first instance is created.
 *
 * <p><b>Threading:</b> static methods, any thread; {@link #respond} from the handler that owns the
 * exchange.
 */
public final class LoopbackServer {

    private static final String NODELAY = "sun.net.httpserver.nodelay";

    private LoopbackServer() {
    }

    /**
     * Starts a server on the loopback address at {@code port} (0: an ephemeral one) with one context
     * per entry of {@code handlers}, running its exchanges on {@code executor}.
     */
    public static HttpServer start(int port, Executor executor, Map<String, HttpHandler> handlers) throws IOException {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(handlers, "handlers");
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        handlers.forEach(server::createContext);
        server.setExecutor(executor);
        server.start();
        return server;
    }

    /** The address of {@code path} on {@code server}. */
    public static URI uri(HttpServer server, String path) {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort() + path);
    }

    /** Reads what is left of the request body, sends {@code status} with {@code body}, and closes the exchange. */
    public static void respond(HttpExchange exchange, int status, String body) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
