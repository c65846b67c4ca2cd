package io.vtbridge.adapters.io;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Configures a {@link ProcessChannel}; from {@link ProcessChannel#builder(List)} or
 * {@link ProcessChannel#builder(ProcessBuilder)}. Each setter checks its argument at once and names
 * the bad value; {@link #build()} starts the writer thread (not the child: the first request does).
 *
 * <p><b>Threading:</b> not thread-safe; configure on one thread, then build.
 */
public final class ProcessChannelBuilder {

    private final List<String> command;
    private final File directory;                  // null: the JVM's working directory
    private final Map<String, String> environment;
    private final ProcessBuilder.Redirect stderr;
    String name;
    Framing framing = Framing.lengthPrefixed();
    int maxInFlight = 1024;
    int maxRestarts = 5;
    Duration restartWindow = Duration.ofMinutes(1); // null: counted in total
    int stderrTailBytes = 4096;
    Duration destroyGrace = Duration.ofSeconds(2);

    ProcessChannelBuilder(List<String> command, File directory, Map<String, String> environment,
                          ProcessBuilder.Redirect stderr) {
        this.command = command;
        this.directory = directory;
        this.environment = environment;
        this.stderr = stderr;
    }

    /** From {@code processBuilder}, copied now: later changes to it do not reach the channel. */
    static ProcessChannelBuilder of(ProcessBuilder processBuilder) {
        Objects.requireNonNull(processBuilder, "processBuilder");
        if (processBuilder.redirectErrorStream()) {
            throw new IllegalArgumentException("processBuilder has redirectErrorStream(true): the child's stderr would be"
                    + " mixed into its response frames");
        }
        if (processBuilder.redirectInput() != ProcessBuilder.Redirect.PIPE) {
            throw new IllegalArgumentException("processBuilder redirects the child's input to " + processBuilder.redirectInput()
                    + ": the channel writes requests to it, so it must be Redirect.PIPE");
        }
        if (processBuilder.redirectOutput() != ProcessBuilder.Redirect.PIPE) {
            throw new IllegalArgumentException("processBuilder redirects the child's output to " + processBuilder.redirectOutput()
                    + ": the channel reads responses from it, so it must be Redirect.PIPE");
        }
        return new ProcessChannelBuilder(checkedCommand(processBuilder.command()), processBuilder.directory(),
                Map.copyOf(processBuilder.environment()), processBuilder.redirectError());
    }

    /** From a command line, run in the JVM's working directory and environment, stderr drained by the channel. */
    static ProcessChannelBuilder of(List<String> command) {
        Objects.requireNonNull(command, "command");
        return new ProcessChannelBuilder(checkedCommand(command), null, null, ProcessBuilder.Redirect.PIPE);
    }

    private static List<String> checkedCommand(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        List<String> copy = new ArrayList<>(command.size());
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            if (arg == null) {
                throw new NullPointerException("command element " + i + " is null: " + command);
            }
            copy.add(arg);
        }
        return List.copyOf(copy);
    }

    /** The channel's name, the prefix of its threads' names. Default {@code process-channel-N}. */
    public ProcessChannelBuilder name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank: '" + name + "'");
        }
        this.name = name;
        return this;
    }

    /** How requests and responses are cut into frames. Default {@link Framing#lengthPrefixed()}. */
    public ProcessChannelBuilder framing(Framing framing) {
        this.framing = Objects.requireNonNull(framing, "framing");
        return this;
    }

    /**
     * The most requests queued or at the child at once; one more is refused with
     * {@link ProcessChannelOverloadedException}. A cancelled request counts until the writer drops it
     * or its response has been read. Default 1024.
     *
     * @throws IllegalArgumentException if {@code maxInFlight} is not positive
     */
    public ProcessChannelBuilder maxInFlight(int maxInFlight) {
        if (maxInFlight <= 0) {
            throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
        return this;
    }

    /**
     * At most {@code maxRestarts} restarts of the child in the channel's whole life (a start after
     * the first, a failed start included); beyond, requests fail with
     * {@link ProcessRestartLimitException}. Default: 5 within one minute (see
     * {@link #maxRestarts(int, Duration)}).
     *
     * @throws IllegalArgumentException if {@code maxRestarts} is negative
     */
    public ProcessChannelBuilder maxRestarts(int maxRestarts) {
        checkRestarts(maxRestarts);
        this.maxRestarts = maxRestarts;
        this.restartWindow = null;
        return this;
    }

    /**
     * At most {@code maxRestarts} restarts within any {@code window}; a request that would need one
     * more fails with {@link ProcessRestartLimitException}, and a later one may restart the child
     * once the oldest restart has left the window. Default: 5 within one minute.
     *
     * @throws IllegalArgumentException if {@code maxRestarts} is negative or {@code window} not positive
     */
    public ProcessChannelBuilder maxRestarts(int maxRestarts, Duration window) {
        checkRestarts(maxRestarts);
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.maxRestarts = maxRestarts;
        this.restartWindow = window;
        return this;
    }

    private static void checkRestarts(int maxRestarts) {
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must not be negative: " + maxRestarts);
        }
    }

    /**
     * How many of the last bytes of the child's standard error a {@link ProcessDiedException}
     * carries; the channel drains the whole stream, keeping only these. Default 4096; 0 keeps none.
     *
     * @throws IllegalArgumentException if {@code stderrTailBytes} is negative
     */
    public ProcessChannelBuilder stderrTailBytes(int stderrTailBytes) {
        if (stderrTailBytes < 0) {
            throw new IllegalArgumentException("stderrTailBytes must not be negative: " + stderrTailBytes);
        }
        this.stderrTailBytes = stderrTailBytes;
        return this;
    }

    /**
     * How long {@link ProcessChannel#close()} lets the child exit after its input closed, and again
     * after {@link Process#destroy()}, before {@link Process#destroyForcibly()}. Default 2 s.
     *
     * @throws IllegalArgumentException if {@code destroyGrace} is not positive
     */
    public ProcessChannelBuilder destroyGrace(Duration destroyGrace) {
        Objects.requireNonNull(destroyGrace, "destroyGrace");
        if (destroyGrace.isNegative() || destroyGrace.isZero()) {
            throw new IllegalArgumentException("destroyGrace must be positive: " + destroyGrace);
        }
        this.destroyGrace = destroyGrace;
        return this;
    }

    /** Builds the channel and starts its writer thread; the child starts with the first request. */
    public ProcessChannel build() {
        return new ProcessChannel(this);
    }

    /** A fresh {@link ProcessBuilder} for the next child, from the copy taken at construction. */
    ProcessBuilder processBuilder() {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr);
        if (directory != null) {
            builder.directory(directory);
        }
        if (environment != null) {
            builder.environment().clear();
            builder.environment().putAll(environment);
        }
        return builder;
    }

    /** Whether the child's stderr comes to the channel (to drain into the tail). */
    boolean stderrPiped() {
        return stderr == ProcessBuilder.Redirect.PIPE;
    }

    List<String> command() {
        return command;
    }
}
