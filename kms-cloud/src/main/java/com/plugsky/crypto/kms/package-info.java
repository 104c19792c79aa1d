/** Cloud KMS key wrappers: one subpackage per provider, plus region routing and retries. */
package com.plugsky.crypto.kms;
