package io.vtbridge.adapters.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * How a {@link ProcessChannel} cuts its pipes into messages: one request is one frame on the child's
 * standard input, one response one frame on its standard output.
 *
 * <p>{@link #lengthPrefixed()} is the default: a 4-byte big-endian length, then that many bytes.
 * Another framing (newline-delimited text, a protocol's own header) implements the two methods:
 * <pre>{@code
 * Framing lines = new Framing() {
 *     public void writeFrame(OutputStream out, byte[] payload) throws IOException {
 *         out.write(payload);
 *         out.write('\n');
 *     }
 *     public byte[] readFrame(InputStream in) throws IOException {
 *         ByteArrayOutputStream line = new ByteArrayOutputStream();
 *         for (int b = in.read(); b != '\n'; b = in.read()) {
 *             if (b < 0) {
 *                 if (line.size() == 0) return null;          // the child closed its output between frames
 *                 throw new EOFException("end of stream within a line");
 *             }
 *             line.write(b);
 *         }
 *         return line.toByteArray();
 *     }
 * };
 * }</pre>
 *
 * <p>A framing that throws while writing or reading a frame may leave the pipe in the middle of one:
 * the channel then stops that child and fails what it had in flight (the next request starts a new
 * one) rather than speak to it out of step.
 *
 * <p><b>Threading:</b> one instance serves every child of a channel; {@link #writeFrame} is called by
 * the channel's writer thread and {@link #readFrame} by a reader thread, at the same time. Keep
 * implementations stateless (or give each direction its own state).
 */
public interface Framing {

    /** The largest frame {@link #lengthPrefixed()} accepts: 16 MiB. */
    int DEFAULT_MAX_FRAME_BYTES = 16 << 20;

    /**
     * Writes {@code payload} as one frame. The channel flushes {@code out} itself (when no further
     * request is waiting), so do not flush here.
     *
     * @throws IOException if the write fails; the channel then stops the child
     */
    void writeFrame(OutputStream out, byte[] payload) throws IOException;

    /**
     * Reads one frame.
     *
     * @return the frame's payload, or null if the stream ended before the first byte of a frame
     * @throws EOFException if the stream ended within a frame
     * @throws IOException  if the read fails or the bytes are not a frame; the channel then stops the
     *                      child
     */
    byte[] readFrame(InputStream in) throws IOException;

    /**
     * The largest payload {@link #writeFrame} accepts: {@link ProcessChannel#request} refuses a larger
     * one with an {@link IllegalArgumentException} before it is queued. No limit by default.
     */
    default int maxPayloadBytes() {
        return Integer.MAX_VALUE;
    }

    /** {@link #lengthPrefixed(int)} with {@link #DEFAULT_MAX_FRAME_BYTES}. */
    static Framing lengthPrefixed() {
        return new LengthPrefixedFraming(DEFAULT_MAX_FRAME_BYTES);
    }

    /**
     * Each frame is its length as 4 bytes, big-endian, then its payload. A request longer than
     * {@code maxFrameBytes} is refused before it is queued; a response that announces more is a
     * protocol error ({@link IOException} naming both figures) that stops the child.
     *
     * @param maxFrameBytes the largest payload, in bytes, either way
     * @throws IllegalArgumentException if {@code maxFrameBytes} is negative
     */
    static Framing lengthPrefixed(int maxFrameBytes) {
        if (maxFrameBytes < 0) {
            throw new IllegalArgumentException("maxFrameBytes must not be negative: " + maxFrameBytes);
        }
        return new LengthPrefixedFraming(maxFrameBytes);
    }
}
