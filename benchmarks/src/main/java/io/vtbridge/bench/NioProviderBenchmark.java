package io.vtbridge.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the vtbridge {@code java.nio.file} provider costs code that is <em>not</em> bridged: the same
 * {@code Files} calls from a platform thread (JMH's worker), in a JVM that has the provider installed
 * as the default ({@link NioProviderInstalledBenchmark}) and in one that has the platform's provider
 * ({@link NioProviderPlatformBenchmark}). Off the bridge the provider runs each call inline after one
 * check of the current thread; what is left is that check, a wrapper object per path, channel and
 * stream, and a lambda per call.
 * <ul>
 *   <li>{@link #size}: {@code Files.size} of a {@value #FILE_SIZE}-byte file: one {@code stat};</li>
 *   <li>{@link #readAllBytes}: {@code Files.readAllBytes} of it: open, size, read, read (end), close.</li>
 * </ul>
 * The two concrete classes differ only in their {@code @Fork} JVM options (a default provider is
 * chosen when the JVM starts, so it cannot be a {@code @Param}); run both in one JMH run with the
 * pattern {@code NioProvider}.
 */
public abstract class NioProviderBenchmark extends BridgeBenchmark {

    /** The JVM option that installs the bridge provider as the default one. */
    static final String INSTALL_PROVIDER =
            "-Djava.nio.file.spi.DefaultFileSystemProvider=io.vtbridge.adapters.nio.BridgeFileSystemProvider";

    /** Bytes in the file read by {@link #readAllBytes}. */
    static final int FILE_SIZE = 128;

    private Path file;

    /** Whether this fork runs with the bridge provider as the default one. */
    abstract boolean providerInstalled();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String provider = FileSystems.getDefault().provider().getClass().getName();
        if (provider.equals("io.vtbridge.adapters.nio.BridgeFileSystemProvider") != providerInstalled()) {
            throw new IllegalStateException(getClass().getSimpleName() + " runs with the wrong default provider: " + provider);
        }
        file = Files.createTempFile("vtbridge-nio-bench", ".bin");
        Files.write(file, new byte[FILE_SIZE]);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public long size() throws IOException {
        return Files.size(file);
    }

    @Benchmark
    public byte[] readAllBytes() throws IOException {
        return Files.readAllBytes(file);
    }
}
