package io.vtbridge.adapters.examples;

import io.vtbridge.Bridge;
import io.vtbridge.adapters.io.ProcessChannel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The README's {@link ProcessChannel} example: bridged callers and an async caller share one child
 * process over its pipes. The child is {@code cat}, which sends every length-prefixed frame back
 * unchanged, so each caller must get its own words back. Run by {@code IoExamplesTest}.
 */
public final class ProcessExample {

    private ProcessExample() {
    }

    /** The answers, in the callers' order. */
    public static List<String> run(Bridge bridge) throws Exception {
        try (ProcessChannel cat = ProcessChannel.builder(List.of("cat"))    // one child, many callers
                .maxInFlight(256)                                            // then ProcessChannelOverloadedException
                .maxRestarts(3, Duration.ofMinutes(1))                       // then ProcessRestartLimitException
                .build()) {
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (String word : List.of("alpha", "beta", "gamma")) {
                answers.add(bridge.submit(() ->                              // bridged code: call() suspends,
                        new String(cat.call(word.getBytes(UTF_8)), UTF_8))); // holds no thread, no shard
            }
            CompletableFuture<byte[]> async = cat.request("delta".getBytes(UTF_8)); // async callers
            List<String> result = new ArrayList<>();
            for (CompletableFuture<String> answer : answers) {
                result.add(answer.get());
            }
            result.add(new String(async.get(), UTF_8));
            return result;
        }
    }
}
