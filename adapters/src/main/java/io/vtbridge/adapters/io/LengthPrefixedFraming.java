package io.vtbridge.adapters.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * {@link Framing#lengthPrefixed(int)}: a 4-byte big-endian length, then the payload.
 *
 * <p><b>Threading:</b> immutable; any thread, both directions at once.
 */
final class LengthPrefixedFraming implements Framing {

    private final int maxFrameBytes;

    LengthPrefixedFraming(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void writeFrame(OutputStream out, byte[] payload) throws IOException {
        if (payload.length > maxFrameBytes) {
            // request() checks this first; a direct caller gets the same refusal, before any byte is written
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds maxFrameBytes " + maxFrameBytes);
        }
        int n = payload.length;
        byte[] header = {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
        out.write(header);
        out.write(payload);
    }

    @Override
    public byte[] readFrame(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null; // closed between frames
        }
        byte[] rest = in.readNBytes(3);
        if (rest.length < 3) {
            throw new EOFException("end of stream within a frame's length (" + (1 + rest.length) + " of 4 bytes)");
        }
        long length = ((long) first << 24) | ((rest[0] & 0xffL) << 16) | ((rest[1] & 0xffL) << 8) | (rest[2] & 0xffL);
        if (length > maxFrameBytes) {
            throw new IOException("a frame announces " + length + " bytes, more than maxFrameBytes " + maxFrameBytes
                    + ": the child's output is not in step with the framing");
        }
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException("end of stream within a frame (" + payload.length + " of " + length + " bytes)");
        }
        return payload;
    }

    @Override
    public int maxPayloadBytes() {
        return maxFrameBytes;
    }

    @Override
    public String toString() {
        return "Framing.lengthPrefixed(" + maxFrameBytes + ")";
    }
}
