/** Google Cloud KMS as a key wrapper, through the Google Cloud client on gRPC. */
package com.plugsky.crypto.kms.gcp;
