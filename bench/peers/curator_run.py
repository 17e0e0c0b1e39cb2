"""The benchmark workload (describe → ask → answer, the image attached to each call) with Bespoke
Curator: three curator.LLM stages, each run over the whole dataset before the next starts (that is
how Curator composes stages), at most --concurrency requests in flight (max_concurrent_requests).
Curator caches every response as it arrives, so a rerun after a crash resumes from its cache."""

import importlib.util
import os
import pathlib
import time

# No network but loopback: Curator counts tokens with tiktoken, whose encodings would otherwise be
# downloaded; LiteLLM (a Curator dependency) ships them.
_litellm = pathlib.Path(importlib.util.find_spec("litellm").origin).parent
os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(_litellm / "litellm_core_utils" / "tokenizers"))
os.environ.setdefault("TELEMETRY_ENABLED", "false")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bespokelabs import curator  # noqa: E402
from datasets import Dataset  # noqa: E402
import common  # noqa: E402


def vision(text: str, image: str) -> list[dict]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": text},
                {"type": "image_url", "image_url": {"url": image, "detail": "auto"}},
            ],
        }
    ]


class Describe(curator.LLM):
    def prompt(self, row):
        return vision(common.template("describe"), row["image"])

    def parse(self, row, response):
        return {**row, "caption": response}


class Ask(curator.LLM):
    # Plain text, parsed here: Curator probes a model for structured-output support with a call of
    # its own, which the fake endpoint (and a server that lacks the feature) does not pass.
    def prompt(self, row):
        return vision(common.render(common.template("ask"), caption=row["caption"]), row["image"])

    def parse(self, row, response):
        return {**row, "question": common.first_question(response)}


class Answer(curator.LLM):
    def prompt(self, row):
        text = common.render(common.template("answer"), caption=row["caption"], question=row["question"])
        return vision(text, row["image"])

    def parse(self, row, response):
        return {**row, "answer": response}


def main() -> None:
    args = common.arguments(__doc__)
    os.environ["CURATOR_CACHE_DIR"] = args.cache
    limits = {
        "base_url": args.base_url,
        "api_key": args.api_key,
        "max_concurrent_requests": args.concurrency,
        "max_requests_per_minute": args.rpm or 1_000_000,
        "max_tokens_per_minute": 1_000_000_000,
        "max_retries": 8,
        "request_timeout": 120,
        "require_all_responses": False,
    }

    def llm(kind, stage):
        return kind(
            model_name=common.MODEL,
            backend="openai",
            generation_params={"max_tokens": common.MAX_TOKENS[stage]},
            backend_params=limits,
        )

    started = time.monotonic()
    rows = Dataset.from_list(common.images(args.images))
    captioned = llm(Describe, "describe")(rows)
    asked = llm(Ask, "ask")(captioned.dataset if hasattr(captioned, "dataset") else captioned)
    answered = llm(Answer, "answer")(asked.dataset if hasattr(asked, "dataset") else asked)
    result = answered.dataset if hasattr(answered, "dataset") else answered
    print(f"SECONDS {time.monotonic() - started:.1f}", flush=True)
    common.write_samples(args.out, list(result))


if __name__ == "__main__":
    main()
