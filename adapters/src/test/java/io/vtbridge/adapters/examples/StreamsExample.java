package io.vtbridge.adapters.examples;

import io.vtbridge.Bridge;
import io.vtbridge.adapters.io.BridgeInputStream;
import io.vtbridge.adapters.io.BridgeOutputStream;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The README's stream example: legacy code that writes to and reads from a pipe (here the pipes of
 * {@code tr a-z A-Z}) in bridged code, its blocking calls moved to the blocking pool by the two
 * wrappers. Run by {@code IoExamplesTest}.
 */
public final class StreamsExample {

    private StreamsExample() {
    }

    /** What {@code tr} sent back. */
    public static String run(Bridge bridge) throws Exception {
        Process upper = new ProcessBuilder("tr", "a-z", "A-Z").start();
        return bridge.submit(() -> {
            OutputStream out = new BufferedOutputStream(new BridgeOutputStream(upper.getOutputStream()));
            try (InputStream in = new BridgeInputStream(upper.getInputStream())) {
                out.write("hello from a pipe".getBytes(UTF_8)); // into the buffer, on the caller
                out.close();                                    // one write, flush and close, on the pool
                return new String(in.readAllBytes(), UTF_8);    // one call on the pool for the whole read;
            }                                                   // the shard runs other tasks meanwhile
        }).get();
    }
}
