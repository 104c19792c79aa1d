package com.plugsky.crypto.kms.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/** Hands out one fixed token and remembers which scopes and tenants it was asked for. */
final class FixedTokenCredential implements TokenCredential {
  private final String token;
  private final List<TokenRequestContext> requests = new CopyOnWriteArrayList<>();

  FixedTokenCredential(String token) {
    this.token = token;
  }

  @Override
  public Mono<AccessToken> getToken(TokenRequestContext request) {
    return Mono.fromSupplier(() -> getTokenSync(request));
  }

  @Override
  public AccessToken getTokenSync(TokenRequestContext request) {
    requests.add(request);
    return new AccessToken(token, OffsetDateTime.now().plusHours(1));
  }

  List<TokenRequestContext> requests() {
    return List.copyOf(requests);
  }
}
