package dev.loupe.codec;

import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;

/** The data converter of every process that makes a Temporal client. */
public final class PayloadEncryption {
  private PayloadEncryption() {}

  /**
   * Temporal's standard converter behind the {@link EncryptingPayloadCodec}. With a current key,
   * failure messages and stack traces are encrypted too (they can hold URIs and provider messages);
   * without one, payloads stay plaintext but an encrypted payload met in a history fails with a
   * message that names {@value PayloadKeys#KEY}.
   */
  public static DataConverter dataConverter(PayloadKeys keys) {
    return new CodecDataConverter(
        DefaultDataConverter.STANDARD_INSTANCE,
        List.of(new EncryptingPayloadCodec(keys)),
        keys.enabled());
  }
}
