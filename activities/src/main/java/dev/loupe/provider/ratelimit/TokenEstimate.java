package dev.loupe.provider.ratelimit;

import dev.loupe.provider.ModelRequest;

/**
 * The tokens a call will count against a tokens-per-minute limit, guessed before it is sent: the
 * prompt at four characters a token, the image at Anthropic's {@code width × height / 750} capped
 * at 1600 (OpenAI's tiles and Gemini's 258-token tiles land in the same range for prepared images),
 * and the output cap in full, as OpenAI's limiter counts it. The budget is corrected to the
 * provider's reported usage once the call returns, so the guess only has to be of the right size.
 */
final class TokenEstimate {
  static final int CHARACTERS_PER_TOKEN = 4;
  static final long MAX_IMAGE_TOKENS = 1600;
  private static final double PIXELS_PER_TOKEN = 750;

  private TokenEstimate() {}

  static long of(ModelRequest request) {
    long characters =
        request.text().length() + (request.system() == null ? 0 : request.system().length());
    long prompt = (characters + CHARACTERS_PER_TOKEN - 1) / CHARACTERS_PER_TOKEN;
    return prompt + imageTokens(request.image()) + request.maxOutputTokens();
  }

  private static long imageTokens(ModelRequest.PreparedImage image) {
    if (image == null) {
      return 0;
    }
    long pixels = (long) image.width() * image.height();
    return Math.min(MAX_IMAGE_TOKENS, (long) Math.ceil(pixels / PIXELS_PER_TOKEN));
  }
}
