/** HashiCorp Vault transit as a key wrapper, over Vault's HTTP API. */
package com.plugsky.crypto.kms.vault;
