package com.plugsky.crypto.primitive;

/** AES key wrapping (NIST SP 800-38F). */
public enum KeyWrapMode {
  /** RFC 3394 AES-KW: key data a multiple of 8 bytes, at least 16. */
  AES_KW,
  /** RFC 5649 AES-KWP: key data of any length from 1 byte. */
  AES_KWP
}
