/** Access to JDK internals that vtbridge needs; not API. */
package io.vtbridge.internal;
