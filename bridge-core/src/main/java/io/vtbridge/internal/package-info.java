/** Access to JDK internals that vtbridge needs; not API.
 *
 * <p><b>Not API.</b> The public types here are public for the other vtbridge packages and the
 * jcstress tests, not for applications: they may change without notice, and calling them directly
 * can break the bridge's guarantees (e.g. running code on a loop thread instead of in a virtual
 * thread it carries).
 */
package io.vtbridge.internal;
