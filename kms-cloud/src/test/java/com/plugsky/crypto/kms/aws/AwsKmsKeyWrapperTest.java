package com.plugsky.crypto.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.keyref.AwsKmsKeyRef;
import com.plugsky.crypto.keyref.KeyRef;
import org.junit.jupiter.api.Test;

class AwsKmsKeyWrapperTest {

  @Test
  void multiRegionKeysAreRecognisedAndNamedInAnotherRegion() {
    AwsKmsKeyRef mrk =
        (AwsKmsKeyRef)
            KeyRef.parse(
                "aws-kms:arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab");
    AwsKmsKeyRef bare =
        (AwsKmsKeyRef)
            KeyRef.parse("aws-kms:mrk-1234abcd12ab34cd56ef1234567890ab?region=us-east-1");
    AwsKmsKeyRef single =
        (AwsKmsKeyRef)
            KeyRef.parse(
                "aws-kms:arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");

    assertThat(AwsKmsKeyWrapper.isMultiRegionKey(mrk)).isTrue();
    assertThat(AwsKmsKeyWrapper.isMultiRegionKey(bare)).isTrue();
    assertThat(AwsKmsKeyWrapper.isMultiRegionKey(single)).isFalse();
    assertThat(AwsKmsKeyWrapper.replicaKeyId(mrk, "eu-west-1"))
        .isEqualTo("arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab");
    assertThat(AwsKmsKeyWrapper.replicaKeyId(bare, "eu-west-1"))
        .isEqualTo("mrk-1234abcd12ab34cd56ef1234567890ab");
  }
}
