/** Placeholder: filled in by the jdbc adapter. */
package io.vtbridge.adapters.jdbc;
