"""What the peer scripts share: the same images, the same three prompts as Loupe's benchmark
recipe (config/prompts/allava/{describe,ask,answer}-en-1.txt, see
workers/src/test/resources/bench-config/recipes/caption-qa.yaml), the same fake endpoint."""

import argparse
import base64
import json
import os
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]
PROMPTS = REPO / "config" / "prompts" / "allava"
MODEL = "gpt-4o-mini"  # a name the libraries know; the fake endpoint answers any model
MAX_TOKENS = {"describe": 1024, "ask": 512, "answer": 1024}


def template(stage: str) -> str:
    """Loupe's template for the stage, with {{count}} filled in as the recipe does (1 question)."""
    return (PROMPTS / f"{stage}-en-1.txt").read_text(encoding="utf-8").replace("{{count}}", "1")


def render(text: str, **values: str) -> str:
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def images(directory: str) -> list[dict]:
    """Every PNG in the directory as {"id": file name, "image": data URL}, in name order."""
    rows = []
    for path in sorted(pathlib.Path(directory).glob("*.png")):
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        rows.append({"id": path.name, "image": "data:image/png;base64," + encoded})
    return rows


def first_question(text: str) -> str:
    """The question out of the ask call's JSON ({"questions": [{"question": ...}]}), else the text."""
    try:
        return json.loads(text)["questions"][0]["question"]
    except (ValueError, KeyError, IndexError, TypeError):
        return text or ""


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base-url", required=True, help="the fake endpoint, e.g. http://127.0.0.1:P/v1")
    parser.add_argument("--images", required=True, help="directory of PNG images")
    parser.add_argument("--out", required=True, help="where the samples JSONL goes")
    parser.add_argument("--cache", required=True, help="the tool's cache directory (kept for resumes)")
    parser.add_argument("--concurrency", type=int, default=30, help="calls in flight at most")
    parser.add_argument("--rpm", type=int, default=0, help="requests per minute the tool allows itself (0: none)")
    args = parser.parse_args()
    args.api_key = os.environ.get("OPENAI_API_KEY", "sk-none")
    return args


def write_samples(path: str, samples: list[dict]) -> int:
    """Writes one JSON line per complete sample (caption, question and answer); returns the count."""
    complete = 0
    with open(path, "w", encoding="utf-8") as out:
        for sample in samples:
            if sample.get("caption") and sample.get("question") and sample.get("answer"):
                complete += 1
                out.write(json.dumps({k: sample[k] for k in ("id", "caption", "question", "answer")}) + "\n")
    print(f"COMPLETED {complete} of {len(samples)}", flush=True)
    return complete
