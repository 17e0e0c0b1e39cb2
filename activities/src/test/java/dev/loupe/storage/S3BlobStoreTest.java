package dev.loupe.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.storage.BlobStore.BlobInfo;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * How S3 answers become {@link BlobStore} results and failures, against canned S3 responses. The
 * contract itself runs against a real server in {@link S3BlobStoreIT}.
 */
class S3BlobStoreTest {
  @StartStop private final MockWebServer server = new MockWebServer();

  private S3Client client;
  private S3BlobStore store;

  @BeforeEach
  void setUp() {
    client = clientFor(URI.create(server.url("/").toString()));
    store = new S3BlobStore(client);
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  @Test
  void missingKeyIsNoSuchFileNamingTheUri() throws Exception {
    server.enqueue(error(404, "NoSuchKey"));

    assertThatThrownBy(() -> store.read(URI.create("s3://bucket/images/a.jpg")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("s3://bucket/images/a.jpg");
    RecordedRequest request = server.takeRequest();
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/bucket/images/a.jpg");
  }

  @Test
  void readIfExistsIsEmptyForAMissingKey() throws IOException {
    server.enqueue(error(404, "NoSuchKey"));

    assertThat(store.readIfExists(URI.create("s3://bucket/a.json"))).isEmpty();
  }

  @Test
  void readIfExistsOfAMissingBucketIsNoSuchFileNotEmpty() {
    server.enqueue(error(404, "NoSuchBucket"));

    assertThatThrownBy(() -> store.readIfExists(URI.create("s3://gone/a.json")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no such bucket");
  }

  @Test
  void existsIsFalseWhenHeadAnswers404() throws Exception {
    server.enqueue(new MockResponse.Builder().code(404).build());

    assertThat(store.exists(URI.create("s3://bucket/a.json"))).isFalse();
    assertThat(server.takeRequest().getMethod()).isEqualTo("HEAD");
  }

  @Test
  void serverErrorIsAnIOExceptionAfterOneRequest() {
    server.enqueue(error(503, "SlowDown"));
    server.enqueue(new MockResponse.Builder().body("should not be asked for").build());

    assertThatThrownBy(() -> store.read(URI.create("s3://bucket/a.json")))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageContaining("s3://bucket/a.json")
        .hasMessageContaining("503 SlowDown");
    assertThat(server.getRequestCount()).isEqualTo(1); // Temporal retries, the client does not
  }

  @Test
  void forbiddenIsAccessDenied() {
    server.enqueue(error(403, "AccessDenied"));

    assertThatThrownBy(() -> store.read(URI.create("s3://bucket/a.json")))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("s3://bucket/a.json");
  }

  @Test
  void unreachableServerIsAnIOException() throws IOException {
    URI closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    try (S3Client unreachable = clientFor(closedPort)) {
      S3BlobStore unreachableStore = new S3BlobStore(unreachable);

      assertThatThrownBy(() -> unreachableStore.read(URI.create("s3://bucket/a.json")))
          .isExactlyInstanceOf(IOException.class)
          .hasMessageContaining("s3://bucket/a.json");
    }
  }

  @Test
  void listFollowsContinuationTokensAndSkipsDirectoryMarkers() throws Exception {
    server.enqueue(
        listing(
            "<IsTruncated>true</IsTruncated><NextContinuationToken>page-2</NextContinuationToken>",
            "images/",
            "images/a.jpg"));
    server.enqueue(listing("<IsTruncated>false</IsTruncated>", "images/b/c.jpg"));

    var listed = store.list(URI.create("s3://bucket/images/"), "s3://bucket/images/0", 10);

    assertThat(listed)
        .containsExactly(
            new BlobInfo(URI.create("s3://bucket/images/a.jpg"), 7),
            new BlobInfo(URI.create("s3://bucket/images/b/c.jpg"), 7));
    RecordedRequest first = server.takeRequest();
    assertThat(first.getUrl().encodedPath()).isEqualTo("/bucket");
    assertThat(first.getUrl().queryParameter("list-type")).isEqualTo("2");
    assertThat(first.getUrl().queryParameter("prefix")).isEqualTo("images/");
    assertThat(first.getUrl().queryParameter("start-after")).isEqualTo("images/0");
    assertThat(first.getUrl().queryParameter("max-keys")).isEqualTo("10");
    RecordedRequest second = server.takeRequest();
    assertThat(second.getUrl().queryParameter("continuation-token")).isEqualTo("page-2");
    assertThat(second.getUrl().queryParameter("max-keys")).isEqualTo("9");
  }

  @Test
  void listStopsAtMaxWithoutAskingForMore() throws Exception {
    server.enqueue(
        listing(
            "<IsTruncated>true</IsTruncated><NextContinuationToken>next</NextContinuationToken>",
            "a.jpg",
            "b.jpg"));

    var listed = store.list(URI.create("s3://bucket"), null, 2);

    assertThat(listed)
        .extracting(BlobInfo::uri)
        .containsExactly(URI.create("s3://bucket/a.jpg"), URI.create("s3://bucket/b.jpg"));
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(server.takeRequest().getUrl().queryParameter("prefix")).isNull();
  }

  @Test
  void startAfterInAnotherBucketIsRejected() {
    assertThatThrownBy(() -> store.list(URI.create("s3://bucket/p/"), "s3://other/p/a", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("s3://other/p/a");
  }

  private static S3Client clientFor(URI endpoint) {
    return S3Clients.create(
        S3Settings.compatible(endpoint),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("test-key", "test-secret")));
  }

  private static MockResponse error(int code, String errorCode) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/xml")
        .body(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                + errorCode
                + "</Code><Message>canned</Message><RequestId>1</RequestId></Error>")
        .build();
  }

  private static MockResponse listing(String truncation, String... keys) {
    StringBuilder body =
        new StringBuilder(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<Name>bucket</Name>")
            .append(truncation);
    for (String key : keys) {
      body.append("<Contents><Key>")
          .append(key)
          .append("</Key><Size>")
          .append(key.endsWith("/") ? 0 : 7)
          .append("</Size></Contents>");
    }
    body.append("</ListBucketResult>");
    return new MockResponse.Builder()
        .setHeader("Content-Type", "application/xml")
        .body(body.toString())
        .build();
  }
}
