package dev.loupe.provider.ratelimit;

import dev.loupe.contract.TokenLease;
import dev.loupe.contract.TokenLeaseRequest;

/**
 * Where a process leases its share of an endpoint's fleet-wide tokens per minute: {@link
 * TemporalTokenLeases} in production, a fake in tests.
 */
public interface TokenLeases {
  /**
   * Asks for this process's share; may block while the coordinator is slow.
   *
   * @throws RuntimeException when the coordinator cannot be reached or refused
   */
  TokenLease lease(TokenLeaseRequest request);
}
