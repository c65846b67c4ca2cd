/** Placeholder: filled in by the executor adapter. */
package io.vtbridge.adapters.executor;
