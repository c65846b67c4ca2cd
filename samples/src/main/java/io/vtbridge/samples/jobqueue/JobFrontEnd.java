package io.vtbridge.samples.jobqueue;

/**
 * An HTTP server in front of {@link JobRoutes}, on loopback: {@link JobServer} (the JDK's
 * HttpServer) or {@link LeanHttpServer} (a connection per thread over plain sockets). Both run every
 * request on the {@code Executor} they are given, so a waiting long poll blocks one of its threads
 * (a suspended virtual thread on a bridge).
 *
 * <p><b>Threading:</b> started and closed by one thread; {@link #port} and {@link #routes} from any.
 */
interface JobFrontEnd extends AutoCloseable {

    /** The port it listens on. */
    int port();

    /** The routes it answers with. */
    JobRoutes routes();

    /** Stops listening and closes every connection. */
    @Override
    void close();
}
