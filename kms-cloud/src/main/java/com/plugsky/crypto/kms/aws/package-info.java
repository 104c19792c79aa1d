/**
 * AWS KMS as a key wrapper for {@code aws-kms:} KeyRefs: {@link
 * com.plugsky.crypto.kms.aws.AwsKmsKeyWrapper}, found by {@link
 * com.plugsky.crypto.keywrap.KeyWrappers} through {@link
 * com.plugsky.crypto.kms.aws.AwsKmsKeyWrapperProvider}.
 */
package com.plugsky.crypto.kms.aws;
