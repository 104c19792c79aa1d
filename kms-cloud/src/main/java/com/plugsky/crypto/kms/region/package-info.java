/**
 * Region routing: {@link com.plugsky.crypto.kms.region.RegionRouting} maps region names to
 * key-encryption keys of any scheme and configures an {@code Envelope} to encrypt under the local
 * region's key (optionally every region's) and to decrypt with the local one first.
 */
package com.plugsky.crypto.kms.region;
