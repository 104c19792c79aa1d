/** TLS 1.3 only, on BoringSSL through netty-tcnative, with the JDK provider as fallback. */
package com.plugsky.crypto.tls;
