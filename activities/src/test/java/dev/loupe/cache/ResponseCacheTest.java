package dev.loupe.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.Lane;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderClients;
import dev.loupe.provider.ProviderCodec;
import dev.loupe.provider.ProviderKind;
import dev.loupe.provider.Secret;
import dev.loupe.storage.LocalBlobStore;
import dev.loupe.storage.Locations;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponseCacheTest {
  private static final Secret KEY = new Secret("sk-test-NEVERSTORED-0123456789");
  private static final ProviderCodec CODEC =
      ProviderClients.codec(
          ProviderKind.OPENAI, "http://127.0.0.1:9/v1", KEY, Duration.ofSeconds(5));
  private static final PreparedImage IMAGE =
      new PreparedImage(new byte[] {1, 2, 3}, "image/png", 10, 10);
  private static final ModelRequest REQUEST =
      new ModelRequest("m", null, "Describe it.", IMAGE, null, 100);
  private static final ModelResponse ANSWER =
      new ModelResponse("A cat.", "m-2026", 1200, 30, 1024, 0, 850);

  @TempDir Path dir;

  @Test
  void theKeyFollowsWhatTheProviderIsAskedAndNothingElse() {
    CacheKey key = CacheKey.of("openai", CODEC, REQUEST);

    assertThat(CacheKey.of("openai", CODEC, REQUEST)).isEqualTo(key);
    assertThat(
            CacheKey.of(
                "openai",
                CODEC,
                new ModelRequest("m", null, "Describe it.", IMAGE, null, 100, Lane.FLEX)))
        .as("the lane does not change the answer")
        .isEqualTo(key);
    assertThat(
            CacheKey.of(
                "openai",
                ProviderClients.codec(
                    ProviderKind.OPENAI, "https://other/v1", null, Duration.ofSeconds(9)),
                REQUEST))
        .as("nor the endpoint's URL, key or timeout")
        .isEqualTo(key);
    assertThat(CacheKey.of("gemini", CODEC, REQUEST)).isNotEqualTo(key);
    assertThat(
            CacheKey.of(
                "openai", CODEC, new ModelRequest("m2", null, "Describe it.", IMAGE, null, 100)))
        .isNotEqualTo(key);
    assertThat(
            CacheKey.of(
                "openai", CODEC, new ModelRequest("m", null, "Describe this.", IMAGE, null, 100)))
        .isNotEqualTo(key);
    assertThat(
            CacheKey.of(
                "openai", CODEC, new ModelRequest("m", null, "Describe it.", IMAGE, null, 101)))
        .isNotEqualTo(key);
    PreparedImage other = new PreparedImage(new byte[] {1, 2, 4}, "image/png", 10, 10);
    assertThat(
            CacheKey.of(
                "openai", CODEC, new ModelRequest("m", null, "Describe it.", other, null, 100)))
        .isNotEqualTo(key);
  }

  @Test
  void aStoredAnswerComesBackWholeAndHoldsNoKeyAndNoImage() throws Exception {
    ResponseCache cache = cache();
    CacheKey key = CacheKey.of("openai", CODEC, REQUEST);

    assertThat(cache.lookup(key)).isEmpty();
    cache.store(key, ANSWER);

    assertThat(cache.lookup(key)).contains(ANSWER);
    String entry = Files.readString(Path.of(cache.uriOf(key)), StandardCharsets.UTF_8);
    assertThat(entry).doesNotContain(KEY.value(), "Describe it.", "AQID");
  }

  @Test
  void anEntryThatDoesNotParseOrIsAnotherKeysIsAMiss() throws Exception {
    ResponseCache cache = cache();
    CacheKey key = CacheKey.of("openai", CODEC, REQUEST);
    CacheKey other = CacheKey.of("gemini", CODEC, REQUEST);
    cache.store(other, ANSWER);
    Path entry = Path.of(cache.uriOf(key));
    Files.createDirectories(entry.getParent());

    Files.writeString(entry, "{\"format\":1,\"key\":\"" + key.sha256() + "\",\"text\":");
    assertThat(cache.lookup(key)).isEmpty();
    Files.writeString(entry, "[]");
    assertThat(cache.lookup(key)).isEmpty();
    Files.copy(
        Path.of(cache.uriOf(other)), entry, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(cache.lookup(key)).as("an entry copied under another key").isEmpty();
    Files.write(entry, new byte[] {(byte) 0xff, 0, 1});
    assertThat(cache.lookup(key)).isEmpty();
  }

  @Test
  void concurrentWritersOfOneKeyLeaveOneWholeEntry() throws Exception {
    ResponseCache cache = cache();
    CacheKey key = CacheKey.of("openai", CODEC, REQUEST);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        ModelResponse answer = new ModelResponse("answer " + i + " ".repeat(4096), "m", i, i, 0);
        writes.add(pool.submit(() -> cache.store(key, answer)));
        writes.add(pool.submit(() -> cache.lookup(key)));
      }
      for (Future<?> write : writes) {
        write.get();
      }
    } finally {
      pool.shutdown();
    }

    assertThat(cache.lookup(key))
        .hasValueSatisfying(answer -> assertThat(answer.text()).startsWith("answer "));
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).toList()).hasSize(1);
    }
  }

  private ResponseCache cache() {
    URI root = Locations.asDirectory(Locations.file(dir));
    return new ResponseCache(new LocalBlobStore(), root);
  }
}
