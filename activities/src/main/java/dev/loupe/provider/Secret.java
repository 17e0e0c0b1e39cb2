package dev.loupe.provider;

import java.util.Objects;

/**
 * A credential such as an API key. {@link #toString()} redacts it, so it can sit in settings
 * records that are logged or printed without leaking.
 *
 * @param value the credential itself; read it only where it goes on the wire
 */
public record Secret(String value) {

  public Secret {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("a secret must not be blank");
    }
  }

  @Override
  public String toString() {
    return "***";
  }
}
