package io.vtbridge.samples.walredo;

import java.io.IOException;

/**
 * One request to the walredo child and its answer, as a caller sees it: a blocking call. The sync
 * mode's {@link BlockingRedoClient} holds the calling thread through the round trip; the async mode
 * passes {@code ProcessChannel::call}, which a bridged virtual thread waits on unmounted.
 *
 * <p><b>Threading:</b> implementations are called by many callers at once.
 */
@FunctionalInterface
interface RedoTransport {

    /** Sends {@code request} and returns the child's answer. */
    byte[] call(byte[] request) throws IOException, InterruptedException;
}
