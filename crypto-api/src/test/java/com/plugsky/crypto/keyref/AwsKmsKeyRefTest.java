package com.plugsky.crypto.keyref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AwsKmsKeyRefTest {
  private static final String UUID = "1234abcd-12ab-34cd-56ef-1234567890ab";

  @Test
  void keyArn() {
    AwsKmsKeyRef ref =
        (AwsKmsKeyRef) KeyRef.parse("aws-kms:arn:aws:kms:eu-west-1:111122223333:key/" + UUID);
    assertThat(ref.keyId()).isEqualTo("arn:aws:kms:eu-west-1:111122223333:key/" + UUID);
    assertThat(ref.region()).contains("eu-west-1");
    assertThat(ref.accountId()).contains("111122223333");
    assertThat(ref.isAlias()).isFalse();
    assertThat(ref).hasToString("aws-kms:arn:aws:kms:eu-west-1:111122223333:key/" + UUID);
  }

  @Test
  void aliasArnAndOtherPartitionsAndMultiRegionKeys() {
    AwsKmsKeyRef alias =
        (AwsKmsKeyRef)
            KeyRef.parse("aws-kms:arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/team/orders");
    assertThat(alias.isAlias()).isTrue();
    assertThat(alias.region()).contains("us-gov-west-1");
    AwsKmsKeyRef mrk =
        (AwsKmsKeyRef)
            KeyRef.parse(
                "aws-kms:arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab");
    assertThat(mrk.region()).contains("cn-north-1");
  }

  @Test
  void shortFormsWithOptionalRegion() {
    AwsKmsKeyRef alias = (AwsKmsKeyRef) KeyRef.parse("aws-kms:alias/orders?region=ap-southeast-2");
    assertThat(alias.keyId()).isEqualTo("alias/orders");
    assertThat(alias.region()).contains("ap-southeast-2");
    assertThat(alias.accountId()).isEmpty();
    assertThat(alias).hasToString("aws-kms:alias/orders?region=ap-southeast-2");
    AwsKmsKeyRef id = (AwsKmsKeyRef) KeyRef.parse("aws-kms:" + UUID);
    assertThat(id.keyId()).isEqualTo(UUID);
    assertThat(id.region()).isEmpty();
    assertThat(id.isAlias()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "aws-kms:| needs a key ARN",
        "aws-kms:arn:aws:kms:EU-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab|"
            + " region 'EU-west-1'",
        "aws-kms:arn:aws:kms:eu-west-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab| account"
            + " '1111' must be 12 digits",
        "aws-kms:arn:gcp:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab|"
            + " partition 'gcp'",
        "aws-kms:arn:aws:kms:eu-west-1:111122223333:key/not-a-uuid| resource 'key/not-a-uuid'",
        "aws-kms:arn:aws:kms:eu-west-1:111122223333:key/1234ABCD-12ab-34cd-56ef-1234567890ab|"
            + " resource",
        "aws-kms:arn:aws:s3:::bucket| not a KMS key ARN",
        "aws-kms:arn:aws:kms:eu-west-1:111122223333:alias/a?region=eu-west-1| already names its"
            + " region",
        "aws-kms:alias/orders?region=moon| region 'moon'",
        "aws-kms:alias/orders?zone=a| only query parameter is region",
        "aws-kms:orders| neither a key ARN",
        "aws-kms:alias/| neither a key ARN",
      })
  void rejectsMalformed(String uri, String message) {
    assertThatThrownBy(() -> KeyRef.parse(uri))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("aws-kms:")
        .hasMessageContaining(message.strip());
  }
}
