package io.vtbridge.bench;

import org.openjdk.jmh.annotations.Fork;

/** {@link NioProviderBenchmark} with the platform's own default provider: the baseline. */
@Fork(value = 1, jvmArgsAppend = BridgeBenchmark.OPENS)
public class NioProviderPlatformBenchmark extends NioProviderBenchmark {

    @Override
    boolean providerInstalled() {
        return false;
    }
}
