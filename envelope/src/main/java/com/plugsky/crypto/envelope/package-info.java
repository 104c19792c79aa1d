/**
 * Envelope encryption: {@link com.plugsky.crypto.envelope.Envelope} writes and reads the message
 * format of docs/FORMAT.md (a header naming the data key's wrappings and committing to it, then
 * AES-256-GCM frames), as byte arrays or streams, with multi-region wrapped keys, rewrap, {@code
 * inspect}, and an optional {@link com.plugsky.crypto.envelope.DataKeyCache}.
 */
package com.plugsky.crypto.envelope;
