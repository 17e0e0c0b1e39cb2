package dev.loupe.provider.fake;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import mockwebserver3.MockResponse;
import okio.Buffer;

/** A fake's online answer, turned into a batch line's answer: its status and JSON body. */
public final class FakeLineAnswers {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FakeLineAnswers() {}

  public static FakeBatchBook.LineAnswer of(MockResponse response) {
    try {
      Buffer body = new Buffer();
      if (response.getBody() != null) {
        response.getBody().writeTo(body);
      }
      return new FakeBatchBook.LineAnswer(response.getCode(), JSON.readTree(body.readUtf8()));
    } catch (IOException e) {
      throw new UncheckedIOException("the fake's answer is not JSON", e);
    }
  }
}
