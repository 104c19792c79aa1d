/**
 * What every cloud KMS wrapper does around a call to its service: one audit event per call with
 * the outcome, and a data key zeroed when the audit sink fails after the key was obtained.
 */
package com.plugsky.crypto.kms.call;
