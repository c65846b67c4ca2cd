package io.vtbridge.samples.jobqueue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The job server's routes ({@link JobRoutes}) over the JDK's {@link HttpServer}, on loopback. The
 * server does not choose its threads: exchanges run on the {@link Executor} it is given (a
 * {@code BridgeExecutorService}, where a long poll is a suspended virtual thread, or a fixed pool,
 * where it holds a pool thread for the whole wait).
 *
 * <p>The HttpServer keeps I/O buffers for every connection while its exchange runs (a channel read
 * buffer and a buffered input stream of 8 KiB each, a 4 KiB write buffer, a 2,048-char request-line
 * buffer...): about 25 KB per waiting long poll, whatever runs its handlers. {@link LeanHttpServer}
 * is the same routes without them.
 *
 * <p><b>Threading:</b> {@link #start} and {@link #close} from one thread; the exchanges run on the
 * handler executor, any number at once.
 */
final class JobServer implements JobFrontEnd {

    private final JobRoutes routes;
    private final Executor handlers;
    private HttpServer server;                          // set by start, read by the caller's thread only

    /**
     * @param routes   what it answers
     * @param handlers runs every exchange
     */
    JobServer(JobRoutes routes, Executor handlers) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.handlers = Objects.requireNonNull(handlers, "handlers");
    }

    /** Binds to loopback on {@code port} (0: any free port) with the given accept backlog, and starts. */
    JobServer start(int port, int backlog) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backlog);
        server.createContext(JobRoutes.JOBS, this::handle);
        server.setExecutor(handlers);
        server.start();
        return this;
    }

    @Override
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public JobRoutes routes() {
        return routes;
    }

    /** Stops listening and closes every connection; exchanges still running end on closed sockets. */
    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            JobRoutes.Answer answer = routes.answer(exchange.getRequestMethod(), uri.getPath(), uri.getRawQuery());
            respond(exchange, answer);
            routes.written(answer);
        }
    }

    /** Sends {@code answer} (a null body: none, as a 304 must be). */
    private static void respond(HttpExchange exchange, JobRoutes.Answer answer) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        byte[] bytes = answer.bodyBytes();
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
