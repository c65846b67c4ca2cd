/**
 * Helpers the whole runtime shares: access to the two JDK internals a custom virtual-thread
 * scheduler needs ({@link io.vtbridge.internal.JdkAccess}), the argument checks every configuration
 * entry point uses ({@link io.vtbridge.internal.Checks}), the rethrow of an unwrapped failure
 * ({@link io.vtbridge.internal.Failures}), the marker of threads that must never park
 * ({@link io.vtbridge.internal.NonBlockingThread}), and an identity index whose values are their own
 * entries ({@link io.vtbridge.internal.IdentityIndex}: a loop's runners by continuation).
 */
package io.vtbridge.internal;
