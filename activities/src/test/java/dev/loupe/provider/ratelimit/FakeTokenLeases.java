package dev.loupe.provider.ratelimit;

import dev.loupe.contract.TokenLease;
import dev.loupe.contract.TokenLeaseRequest;
import java.util.ArrayList;
import java.util.List;

/** A coordinator that answers with a set lease, or fails as an unreachable one does. */
final class FakeTokenLeases implements TokenLeases {
  final List<TokenLeaseRequest> requests = new ArrayList<>();
  TokenLease answer = new TokenLease(1, 10_000, 2_000, 1, 0);
  boolean unreachable;

  @Override
  public TokenLease lease(TokenLeaseRequest request) {
    requests.add(request);
    if (unreachable) {
      throw new IllegalStateException("fake coordinator unreachable");
    }
    return answer;
  }

  TokenLeaseRequest last() {
    return requests.getLast();
  }
}
