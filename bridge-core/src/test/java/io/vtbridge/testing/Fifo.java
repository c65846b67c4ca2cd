package io.vtbridge.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
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

    /**
     * Writes {@code data} into the FIFO at {@code fifo}, whose reader the code under test opens:
     * opening a FIFO for writing waits (in the kernel) for a reader, so the write runs on a helper
     * platform thread and this waits for it, bounded. If no reader came, the helper's open is
     * released (see {@link #release}) and the test fails naming the FIFO.
     */
    public static void write(Path fifo, byte[] data) throws Exception {
        CompletableFuture<Void> written = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("fifo-writer " + fifo.getFileName()).start(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) { // a platform thread: plain java.nio.file
                out.write(data);
                written.complete(null);
            } catch (Throwable e) {
                written.completeExceptionally(e);
            }
        });
        try {
            Await.result("a reader to open " + fifo + " so that " + data.length + " byte(s) could be written", written);
        } catch (AssertionError noReader) {
            release(fifo);
            throw noReader;
        }
    }

    /**
     * Opens the FIFO for reading and writing at once, which never waits, and closes it again: a
     * thread blocked opening it (for reading or writing) gets its open, and a reader then sees end
     * of file. For the end of a test whose reader was abandoned inside open(2), which an interrupt
     * does not end.
     */
    public static void release(Path fifo) throws IOException {
        new RandomAccessFile(fifo.toFile(), "rw").close();
    }
}
