package dev.loupe.provider.ratelimit;

import dev.loupe.contract.TokenLease;
import dev.loupe.contract.TokenLeaseRequest;
import dev.loupe.provider.ModelClient;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's share of an endpoint's tokens-per-minute limit, which holds across every API
 * worker process of the endpoint: the process leases its share from the endpoint's coordinator
 * ({@link TokenLeases}) every couple of seconds, asking for twice the rate its calls asked for
 * lately (at least {@link #IDLE_SHARE} of the limit, so an idle process's first call can go), and
 * spends it through {@link #bucket()}, whose rate and capacity (a minute's worth) follow the grant.
 * The grants held add up to at most the limit, so the processes' rates together stay within it. The
 * bucket starts empty; each lease reports what it holds and what the process took, and the
 * coordinator credits it with the provider's burst that no process holds (the provider's minute at
 * the start, what another process gave up), so the processes' buckets together hold what the
 * provider allows.
 *
 * <p>When no answer came within the lease's validity (the coordinator cannot be reached, or no
 * workflow worker runs), the process falls back to an even slice of the limit by the most processes
 * the coordinator ever reported to it, and by at least {@link #FALLBACK_PROCESSES} (a process that
 * joined first saw itself alone, yet others may run), logs a warning, and keeps asking; {@link
 * #fallingBack()} says so.
 */
public final class FleetTokenBudget implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FleetTokenBudget.class);

  /** The fewest processes a fallback slice assumes. */
  static final int FALLBACK_PROCESSES = 4;

  /** The least an idle process asks for, as a part of the limit. */
  static final double IDLE_SHARE = 0.05;

  private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
  private static final Duration CHECK_EVERY = Duration.ofMillis(250);

  private final String endpoint;
  private final long limit;
  private final String worker;
  private final TokenLeases leases;
  private final TokenBucket bucket;
  private final LongSupplier nanoTime;
  private ScheduledExecutorService scheduler;

  private long lastAsked;
  private long lastSpent;
  private long lastAt;
  private long validUntil;
  private boolean answered;
  private boolean fallingBack = true;
  private int processes = FALLBACK_PROCESSES;
  private long granted;

  FleetTokenBudget(
      String endpoint,
      long limit,
      String worker,
      TokenLeases leases,
      TokenBucket bucket,
      LongSupplier nanoTime) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.limit = limit;
    this.worker = Objects.requireNonNull(worker, "worker");
    this.leases = Objects.requireNonNull(leases, "leases");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.nanoTime = nanoTime;
    this.lastAt = nanoTime.getAsLong();
    this.granted = fallbackSlice();
  }

  /**
   * A budget that starts at the fallback slice; it leases in the background from the first {@link
   * #startLeasing} until closed.
   *
   * @param limit the endpoint's tokens per minute, for the whole fleet
   * @param worker this process's identity, unique per process start
   */
  public static FleetTokenBudget of(
      String endpoint, long limit, String worker, TokenLeases leases) {
    long slice = Math.max(1, limit / FALLBACK_PROCESSES);
    return new FleetTokenBudget(
        endpoint, limit, worker, leases, TokenBucket.leased(slice), System::nanoTime);
  }

  /**
   * Starts leasing, once: called before this process's first call on the endpoint, so processes
   * that never call it (a CPU or workflows worker built from the same modules) hold no share.
   */
  public synchronized void startLeasing() {
    if (scheduler != null) {
      return;
    }
    scheduler =
        Executors.newScheduledThreadPool(
            2,
            runnable -> {
              Thread thread = new Thread(runnable, "loupe-token-lease-" + endpoint);
              thread.setDaemon(true);
              return thread;
            });
    scheduler.execute(this::renewAndReschedule);
    scheduler.scheduleWithFixedDelay(
        this::checkExpiry, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** {@code delegate}, starting this budget's leases before its first call. */
  public ModelClient leasingBefore(ModelClient delegate) {
    return request -> {
      startLeasing();
      return delegate.complete(request);
    };
  }

  /** The bucket this process's calls reserve their tokens in. */
  public TokenBucket bucket() {
    return bucket;
  }

  /** Whether the process spends a fallback slice because its lease ran out unrenewed. */
  public synchronized boolean fallingBack() {
    return fallingBack;
  }

  /** Tokens per minute this process may spend now. */
  public synchronized long granted() {
    return granted;
  }

  private void renewAndReschedule() {
    Duration next;
    try {
      next = renew();
    } catch (RuntimeException e) {
      LOG.debug("endpoint={} token lease failed: {}", endpoint, e.toString());
      next = RETRY_AFTER_FAILURE;
    }
    checkExpiry();
    ScheduledExecutorService running;
    synchronized (this) {
      running = scheduler;
    }
    if (running != null && !running.isShutdown()) {
      try {
        running.schedule(this::renewAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        // closed meanwhile: no more leases
      }
    }
  }

  /**
   * Asks for the next share and applies it.
   *
   * @return when to ask again
   */
  Duration renew() {
    long sentAt = nanoTime.getAsLong();
    TokenLeaseRequest request;
    long askedBefore;
    synchronized (this) {
      long asked = bucket.asked();
      long spent = bucket.spent();
      double minutes = Math.max(1e-3, (sentAt - lastAt) / 60e9);
      long wanted = (long) Math.ceil(2 * (asked - lastAsked) / minutes);
      long floor = Math.max(1, (long) (limit * IDLE_SHARE));
      long used = Math.max(0, spent - lastSpent);
      request =
          new TokenLeaseRequest(
              worker,
              limit,
              Math.min(limit, Math.max(floor, wanted)),
              used,
              (long) Math.floor(bucket.level()));
      askedBefore = asked;
    }
    TokenLease lease = leases.lease(request);
    synchronized (this) {
      // Counted from here once heard: a report that failed is made again with the next. A net
      // refund (more given back than taken) is carried into the next report.
      lastAsked = askedBefore;
      lastSpent += request.used();
      lastAt = sentAt;
      validUntil = sentAt + Duration.ofMillis(lease.validMillis()).toNanos();
      processes = Math.max(processes, lease.processes());
      if (!answered || fallingBack) {
        LOG.info(
            "endpoint={} leases {} of {} tokens per minute shared by {} processes",
            endpoint,
            lease.tokensPerMinute(),
            limit,
            lease.processes());
      }
      answered = true;
      fallingBack = false;
      apply(lease.tokensPerMinute());
      if (lease.credit() > 0) {
        bucket.credit(lease.credit());
      }
    }
    return Duration.ofMillis(Math.max(100, lease.renewAfterMillis()));
  }

  /** Falls back to an even slice once the lease ran out unrenewed. */
  synchronized void checkExpiry() {
    if (answered && !fallingBack && nanoTime.getAsLong() - validUntil >= 0) {
      fallingBack = true;
      apply(fallbackSlice());
      LOG.warn(
          "endpoint={} token lease ran out unrenewed (the TokenBudgetWorkflow did not answer):"
              + " falling back to {} of {} tokens per minute, an even slice by the {} processes"
              + " seen at most",
          endpoint,
          granted,
          limit,
          processes);
    }
  }

  private long fallbackSlice() {
    return Math.max(1, limit / Math.max(FALLBACK_PROCESSES, processes));
  }

  private void apply(long tokensPerMinute) {
    granted = tokensPerMinute;
    long rate = Math.max(1, tokensPerMinute);
    bucket.setRate(rate, rate);
  }

  @Override
  public synchronized void close() {
    ScheduledExecutorService running = scheduler;
    if (running != null) {
      running.shutdownNow();
    }
  }
}
