package io.vtbridge.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Named pipes (FIFOs): opening or reading one blocks in the kernel until the other side comes, a real blocking call. */
public final class Fifo {

    private Fifo() {
    }

    /**
     * Creates a FIFO at {@code path} with {@code mkfifo} and returns {@code path}. Where there is no
     * {@code mkfifo} command the calling test is skipped (a JUnit assumption naming why); where it
     * exists and fails, the test fails with its output.
     */
    public static Path create(Path path) throws IOException, InterruptedException {
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        } catch (IOException noMkfifo) {
            assumeTrue(false, "this test needs a named pipe, and the mkfifo command is not available: " + noMkfifo);
            throw noMkfifo; // not reached: the assumption aborts the test
        }
        mkfifo.getOutputStream().close();
        if (!mkfifo.waitFor(Await.WAIT_SECONDS, TimeUnit.SECONDS)) {
            mkfifo.destroyForcibly();
            throw new AssertionError("mkfifo " + path + " did not end within " + Await.WAIT_SECONDS + " s");
        }
        String output = new String(mkfifo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (mkfifo.exitValue() != 0) {
            throw new AssertionError("mkfifo " + path + " exited " + mkfifo.exitValue() + ": " + output);
        }
        return path;
    }
}
