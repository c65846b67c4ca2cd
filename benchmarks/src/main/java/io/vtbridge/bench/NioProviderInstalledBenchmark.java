package io.vtbridge.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link NioProviderBenchmark} with {@code io.vtbridge.adapters.nio.BridgeFileSystemProvider} installed
 * as the default {@code java.nio.file} provider, called from a platform thread: the pass-through path.
 */
@Fork(value = 1, jvmArgsAppend = {BridgeBenchmark.OPENS, NioProviderBenchmark.INSTALL_PROVIDER})
public class NioProviderInstalledBenchmark extends NioProviderBenchmark {

    @Override
    boolean providerInstalled() {
        return true;
    }
}
