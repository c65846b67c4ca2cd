/**
 * Admission and tracking of in-flight tasks: the bound on work a bridge accepts, and the registry a
 * closing bridge walks to complete every future that is still pending.
 * Access-mode names as in {@link io.vtbridge.queue}.
 */
package io.vtbridge.task;
