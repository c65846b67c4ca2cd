/**
 * Admission and tracking of in-flight tasks: the bound on work a bridge accepts, and the registry a
 * closing bridge walks to complete every future that is still pending.
 * Access-mode names as in {@link io.vtbridge.queue}.
 *
 * <p><b>Not API.</b> The public types here are public for the other vtbridge packages and the
 * jcstress tests, not for applications: they may change without notice, and calling them directly
 * can break the bridge's guarantees (e.g. running code on a loop thread instead of in a virtual
 * thread it carries).
 */
package io.vtbridge.task;
