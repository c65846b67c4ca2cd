/** Placeholder: filled in by the facade adapter. */
package io.vtbridge.adapters.facade;
