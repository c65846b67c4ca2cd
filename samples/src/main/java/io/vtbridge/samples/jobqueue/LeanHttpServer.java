package io.vtbridge.samples.jobqueue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The job server's routes ({@link JobRoutes}) over plain blocking sockets, on loopback: a thread per
 * connection, one request per connection ({@code Connection: close} on every answer, so no idle
 * keep-alive connection holds a thread). One platform thread, {@code lean-http-acceptor-N}, accepts
 * connections and hands each to the {@link Executor} it is given; there the connection's thread
 * reads the request head ({@link HttpWire}: at most 1 KiB, no body), calls the routes, writes the
 * answer and closes. The sample hands it the {@code Bridge} itself ({@code Bridge.execute}: a task
 * per connection, nothing else per connection, where an executor service would add its own task and
 * an entry in its set of running tasks); every connection is then a bridged virtual thread: a socket
 * read with nothing to read parks it in the JDK's poller, which resumes it through its shard; a long
 * poll parks it on its job's condition. Any {@code Executor} works.
 *
 * <p>What a waiting long poll holds: its virtual thread (frames that keep the job and two numbers),
 * its {@link SocketChannel}, and its place in the server's list of open connections. The head's buffer
 * and text are garbage before the wait starts: {@link HttpWire#readRequest} allocates them and returns
 * only the method, path and query. No buffer is kept per connection, unlike the JDK's HttpServer
 * (about 25 KB per connection: {@link JobServer}).
 *
 * <p>A client that connects and sends nothing (or part of a head) holds its connection's thread in
 * the read, as long as it likes: on a bridge that is a parked virtual thread, not a platform thread.
 * A request refused before the routes (400, 431, 505) is answered, then the server stops sending and
 * reads what the client still sends (up to {@value #LINGER_BYTES} bytes) until it closes, so that
 * the close does not reset the connection before the client has read the answer.
 *
 * <p><b>Threading:</b> {@link #start}, {@link #close}, {@link #port} and {@link #acceptorName} from one
 * thread; {@link #routes}, {@link #openConnections} and the counters from any. The acceptor thread accepts
 * and submits; each connection is served by the executor's thread that runs it, any number at once.
 * {@link #close} interrupts a connection's thread only while it serves that connection (each
 * connection's monitor orders the two), so a pool thread that has moved on to other work is not hit.
 */
final class LeanHttpServer implements JobFrontEnd {

    /** Bytes read and dropped after a refused request before the connection is closed anyway. */
    static final int LINGER_BYTES = 16 * 1_024;
    /** The prefix of the acceptor thread's name. */
    static final String ACCEPTOR_NAME = "lean-http-acceptor-";
    /** How long the acceptor pauses after an accept that failed (out of descriptors, say) before the next. */
    private static final long ACCEPT_BACKOFF_MILLIS = 10;

    private static final AtomicInteger IDS = new AtomicInteger();

    private final JobRoutes routes;
    private final Executor handlers;
    /**
     * Open connections, a circular list linked through the connections themselves (no entry object
     * per connection, unlike a concurrent set): the acceptor links each, its own thread (at its end)
     * or {@link #close} unlinks it. This is the list's head, never a connection.
     */
    private final Connection open = new Connection(null);
    private final ReentrantLock openLock = new ReentrantLock(); // guards the list's links and openCount
    private int openCount;                                      // guarded by openLock
    private final LongAdder refused = new LongAdder();        // connections the executor refused (answered 503), by the acceptor
    private final LongAdder acceptFailures = new LongAdder(); // accepts that failed while open, by the acceptor
    private ServerSocketChannel listener;                     // set by start; closed by close
    private Thread acceptor;                                  // set by start; joined by close
    private int port;                                         // set by start
    private volatile boolean closed;                          // set by close; read by the acceptor

    /**
     * @param routes   what it answers
     * @param handlers runs every connection, from its first read to its close
     */
    LeanHttpServer(JobRoutes routes, Executor handlers) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.handlers = Objects.requireNonNull(handlers, "handlers");
    }

    /**
     * Binds to loopback on {@code port} (0: any free port) with the given accept backlog, and starts
     * the acceptor.
     *
     * @throws IllegalArgumentException if {@code port} is not in 0..65535 or {@code backlog} is not positive
     * @throws IllegalStateException    if it was started before
     */
    LeanHttpServer start(int port, int backlog) throws IOException {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535: " + port);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive: " + backlog);
        }
        if (listener != null) {
            throw new IllegalStateException("started already, on port " + this.port);
        }
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backlog);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        listener = channel;
        this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        acceptor = Thread.ofPlatform().name(ACCEPTOR_NAME + IDS.incrementAndGet()).daemon(true).start(this::acceptLoop);
        return this;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public JobRoutes routes() {
        return routes;
    }

    /** The name of its acceptor thread (null before {@link #start}). */
    String acceptorName() {
        return acceptor == null ? null : acceptor.getName();
    }

    /** Connections accepted and not yet closed: a snapshot. */
    int openConnections() {
        openLock.lock();
        try {
            return openCount;
        } finally {
            openLock.unlock();
        }
    }

    /** Connections the executor refused (each answered 503 and closed). */
    long refused() {
        return refused.sum();
    }

    /** Accepts that failed while the server was open. */
    long acceptFailures() {
        return acceptFailures.sum();
    }

    /**
     * Stops listening, waits for the acceptor to end, then closes every open connection, interrupting
     * its thread if it is serving it: a waiting long poll ends (its client sees the connection close),
     * and so does a read waiting for a head. A connection submitted but not started yet is closed and
     * will not be served. If the calling thread is interrupted while waiting for the acceptor, it
     * goes on without waiting and keeps its interrupt status. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        if (listener == null) {
            return;
        }
        closeQuietly(listener);                                   // wakes the acceptor from accept()
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Connection> all = new ArrayList<>();
        openLock.lock();
        try {
            for (Connection c = open.next; c != open; c = c.next) {
                all.add(c);
            }
        } finally {
            openLock.unlock();
        }
        for (Connection connection : all) {
            connection.shut();                                    // unlinks it
        }
    }

    // ---- the acceptor ---------------------------------------------------------------------------

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException e) {
                return;                                           // close(): the listener is closed
            } catch (IOException e) {
                if (!listener.isOpen()) {
                    return;
                }
                acceptFailures.increment();
                if (!backOff()) {
                    return;
                }
                continue;
            }
            admit(channel);
        }
    }

    /** Hands {@code channel} to the executor; one it refuses is answered 503 and closed. */
    private void admit(SocketChannel channel) {
        Connection connection = new Connection(channel);
        link(connection);
        try {
            handlers.execute(connection);
        } catch (RejectedExecutionException e) {
            unlink(connection);
            refused.increment();
            try {
                // a fresh connection's send buffer is empty: this short write does not block the acceptor
                HttpWire.write(channel, JobRoutes.Answer.of(503, "server busy: " + e.getMessage()));
            } catch (IOException gone) {
                // the client is gone already
            }
            closeQuietly(channel);
        }
    }

    private void link(Connection c) {
        openLock.lock();
        try {
            Connection last = open.prev;
            c.prev = last;
            c.next = open;
            last.next = c;
            open.prev = c;
            openCount++;
        } finally {
            openLock.unlock();
        }
    }

    /** Unlinks {@code c} if it is still linked (its end and {@link #close} may both try). */
    private void unlink(Connection c) {
        openLock.lock();
        try {
            if (c.next == null) {
                return;
            }
            c.prev.next = c.next;
            c.next.prev = c.prev;
            c.prev = null;
            c.next = null;
            openCount--;
        } finally {
            openLock.unlock();
        }
    }

    /** Pauses the acceptor after a failed accept; false if it was interrupted (then it ends). */
    private static boolean backOff() {
        try {
            Thread.sleep(ACCEPT_BACKOFF_MILLIS);                  // a full descriptor table would otherwise spin a core
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    // ---- a connection ---------------------------------------------------------------------------

    /**
     * Serves one connection on the calling thread: reads the head (in a callee, whose buffer is garbage
     * once it returns), answers it through the routes (a long poll waits there), writes the answer.
     */
    private void serve(SocketChannel channel) throws IOException {
        HttpWire.Request request;
        try {
            request = HttpWire.readRequest(channel);
        } catch (HttpWire.Refused refusal) {
            refuse(channel, refusal.answer());
            return;
        }
        if (request == null) {
            return;                                               // closed before a whole head
        }
        JobRoutes.Answer answer = routes.answer(request.method(), request.path(), request.rawQuery());
        HttpWire.write(channel, answer);
        routes.written(answer);
    }

    /** Answers a refused request, stops sending, and reads what the client still sends until it closes. */
    private static void refuse(SocketChannel channel, JobRoutes.Answer answer) throws IOException {
        HttpWire.write(channel, answer);
        channel.shutdownOutput();
        ByteBuffer drop = ByteBuffer.allocate(512);
        for (int dropped = 0; dropped < LINGER_BYTES; ) {
            int n = channel.read(drop.clear());
            if (n < 0) {
                return;
            }
            dropped += n;
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a socket fails only if it is gone already
        }
    }

    /**
     * One accepted connection, the task the executor runs. Its monitor orders {@link #shut} (from
     * {@link #close}) against the start and end of its service: {@code close} interrupts
     * {@link #thread} only between them.
     */
    private final class Connection implements Runnable {

        private final SocketChannel channel;
        private Thread thread;             // guarded by this: the thread serving it, from start to end; else null
        private boolean shut;              // guarded by this: set by shut(); a connection shut first is not served
        private Connection prev;           // guarded by openLock: the list of open connections; null once unlinked
        private Connection next;           // guarded by openLock

        /** A connection on {@code channel}; with a null channel, the list's head (linked to itself). */
        Connection(SocketChannel channel) {
            this.channel = channel;
            if (channel == null) {
                prev = this;
                next = this;
            }
        }

        @Override
        public void run() {
            try {
                if (begin()) {
                    serve(channel);
                }
            } catch (IOException e) {
                // the client went away, or close() closed the socket: nothing left to answer
            } finally {
                end();
                closeQuietly(channel);
                unlink(this);
            }
        }

        private synchronized boolean begin() {
            if (shut) {
                return false;
            }
            thread = Thread.currentThread();
            return true;
        }

        private synchronized void end() {
            thread = null;
        }

        /** Closes it; interrupts its thread if that is serving it now. */
        void shut() {
            synchronized (this) {
                shut = true;
                if (thread != null) {
                    thread.interrupt();
                }
            }
            closeQuietly(channel);
            unlink(this);
        }
    }
}
