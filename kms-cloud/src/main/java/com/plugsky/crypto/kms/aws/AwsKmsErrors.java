package com.plugsky.crypto.kms.aws;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns what the AWS SDK throws into this library's typed failures. Messages name the operation,
 * the key, the AWS error code, HTTP status and request id; they never carry request or response
 * bodies, so no key material, and the SDK never puts credentials in its messages.
 */
final class AwsKmsErrors {
  /** Error codes that mean the key or the service is temporarily unavailable: retry. */
  private static final Set<String> TRANSIENT =
      Set.of(
          "KMSInternalException",
          "KMSInternal",
          "DependencyTimeoutException",
          "KeyUnavailableException",
          "ServiceUnavailableException",
          "InternalFailure",
          "RequestTimeout",
          "RequestTimeoutException",
          "XksProxyUriUnreachableException",
          "XksProxyInvalidResponseException",
          "CloudHsmClusterNotActiveException",
          "CustomKeyStoreInvalidStateException");

  /** The caller may not use the key, or the key is in a state that forbids it. */
  private static final Set<String> DENIED =
      Set.of(
          "AccessDeniedException",
          "DisabledException",
          "KMSInvalidStateException",
          "InvalidGrantTokenException");

  /** AWS did not accept the request's credentials or signature, whatever the key. */
  private static final Set<String> CREDENTIALS_REJECTED =
      Set.of(
          "UnrecognizedClientException",
          "InvalidSignatureException",
          "IncompleteSignature",
          "MissingAuthenticationToken",
          "ExpiredTokenException",
          "InvalidClientTokenId",
          "SignatureDoesNotMatch");

  /** The wrapped key does not open under this key and context. */
  private static final Set<String> NOT_AUTHENTIC =
      Set.of("InvalidCiphertextException", "IncorrectKeyException");

  /** The key exists but cannot do symmetric encryption, or the operation is not offered. */
  private static final Set<String> MISCONFIGURED =
      Set.of("InvalidKeyUsageException", "UnsupportedOperationException", "InvalidArnException");

  private AwsKmsErrors() {}

  /** The typed failure for {@code failure}, thrown by {@code operation} on {@code keyRef}. */
  static CryptoException map(String operation, String keyRef, String region, SdkException failure) {
    String where = operation + " on " + keyRef + " in " + region;
    if (failure instanceof AwsServiceException service) {
      return mapService(where, service);
    }
    if (failure instanceof ApiCallAttemptTimeoutException
        || failure instanceof ApiCallTimeoutException) {
      return new KeyUnavailableException(where + ": AWS KMS did not answer in time", failure);
    }
    if (failure instanceof AbortedException) {
      return new KeyUnavailableException(where + ": the call was aborted", failure);
    }
    if (failure instanceof SdkClientException && hasIoCause(failure)) {
      return new KeyUnavailableException(
          where + ": cannot reach AWS KMS (" + rootMessage(failure) + ")", failure);
    }
    // Credentials that cannot be found, an unknown region, an invalid endpoint: a setup problem.
    return new ConfigurationException(where + ": " + failure.getMessage(), failure);
  }

  private static CryptoException mapService(String where, AwsServiceException failure) {
    AwsErrorDetails details = failure.awsErrorDetails();
    String code = details == null || details.errorCode() == null ? "" : details.errorCode();
    int status = failure.statusCode();
    String described =
        where
            + ": AWS KMS answered "
            + (code.isEmpty() ? "" : code + ", ")
            + "HTTP "
            + status
            + (failure.requestId() == null ? "" : ", request id " + failure.requestId());
    if (NOT_AUTHENTIC.contains(code)) {
      return new AuthenticationFailedException(
          described
              + ": the wrapped key was made under another key or encryption context, or was"
              + " modified",
          failure);
    }
    if (failure.isThrottlingException() || TRANSIENT.contains(code) || status >= 500) {
      return new KeyUnavailableException(described, failure);
    }
    if (code.equals("NotFoundException")) {
      return new KeyAccessDeniedException(
          described
              + ": the key does not exist in this account and region, or is not visible to"
              + " this caller",
          failure);
    }
    if (DENIED.contains(code)
        || CREDENTIALS_REJECTED.contains(code)
        || status == 401
        || status == 403) {
      return new KeyAccessDeniedException(described, failure);
    }
    if (MISCONFIGURED.contains(code)) {
      return new ConfigurationException(
          described + ": the key cannot encrypt and decrypt symmetrically", failure);
    }
    return new InvalidInputException(described, failure);
  }

  /** Whether {@code failure} comes from AWS rejecting the credentials that signed the request. */
  static boolean rejectedCredentials(CryptoException failure) {
    return failure.getCause() instanceof AwsServiceException service
        && service.awsErrorDetails() != null
        && CREDENTIALS_REJECTED.contains(service.awsErrorDetails().errorCode());
  }

  private static boolean hasIoCause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IOException || t instanceof UncheckedIOException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
