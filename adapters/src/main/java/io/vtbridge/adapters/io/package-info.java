/** Placeholder: filled in by the io adapter. */
package io.vtbridge.adapters.io;
