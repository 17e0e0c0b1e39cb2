"""Reads a Loupe output's shards back with the libraries trainers load them with.

Usage: python read_shards.py OUTPUT_DIR

Loads webdataset/shard-*.tar with `webdataset` (images decoded to PIL), parquet/shard-*.parquet
with `datasets.load_dataset("parquet", ...)` (the `images` column decoded by datasets' Image
feature), the folder's own configs (`default`, `caption`, `qa`) through the dataset card, and the
files with `pyarrow`. Checks that every image decodes and that every conversation equals a line of
sharegpt.jsonl for the same image. Prints one JSON object of counts on stdout; exits 1 naming the
first mismatch.
"""

import collections
import glob
import json
import os
import sys

import PIL.Image


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def key(image, messages):
    return json.dumps([image, messages], sort_keys=True, ensure_ascii=False)


def expected_conversations(out):
    expected = collections.Counter()
    for path in sorted(glob.glob(os.path.join(out, "sharegpt*.jsonl"))):
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    sample = json.loads(line)
                    expected[key(sample["images"][0], sample["messages"])] += 1
    return expected


def check_image(image, where):
    if not isinstance(image, PIL.Image.Image):
        fail(f"{where}: image decoded to {type(image).__name__}, not a PIL image")
    image.load()
    if image.width < 1 or image.height < 1:
        fail(f"{where}: image is {image.width}x{image.height}")


def read_webdataset(out, expected):
    import webdataset

    shards = sorted(glob.glob(os.path.join(out, "webdataset", "shard-*.tar")))
    if not shards:
        return None
    seen = collections.Counter()
    keys = collections.Counter()
    kinds = collections.Counter()
    dataset = webdataset.WebDataset(shards, shardshuffle=False, empty_check=False).decode("pil")
    for sample in dataset:
        meta = sample["json"]
        image = next(
            (sample[ext] for ext in ("jpg", "jpeg", "png", "webp", "gif", "bmp") if ext in sample),
            None)
        check_image(image, f"webdataset {sample['__key__']}")
        if meta["id"] != sample["__key__"]:
            fail(f"webdataset key {sample['__key__']} holds the json of {meta['id']}")
        seen[key(meta["images"][0], meta["messages"])] += 1
        keys[sample["__key__"]] += 1
        kinds[meta["kind"]] += 1
    compare("webdataset", seen, expected)
    duplicated = [k for k, n in keys.items() if n > 1]
    if duplicated:
        fail(f"webdataset: samples in more than one place: {duplicated[:5]}")
    return {"shards": len(shards), "samples": sum(keys.values()), "kinds": dict(kinds)}


def read_parquet(out, expected, sample_images):
    import datasets
    import pyarrow.parquet as pq

    shards = sorted(glob.glob(os.path.join(out, "parquet", "shard-*.parquet")))
    if not shards:
        return None
    table_rows = 0
    row_groups = 0
    max_group_rows = 0
    for shard in shards:
        parquet = pq.ParquetFile(shard)
        table_rows += parquet.metadata.num_rows
        row_groups += parquet.metadata.num_row_groups
        for group in range(parquet.metadata.num_row_groups):
            max_group_rows = max(max_group_rows, parquet.metadata.row_group(group).num_rows)
        image_type = parquet.schema_arrow.field("images").type.value_type
        if sorted(image_type.names) != ["bytes", "path"]:
            fail(f"{shard}: images are {image_type}, not a struct of bytes and path")

    loaded = datasets.load_dataset("parquet", data_files=shards, split="train")
    feature = loaded.features["images"]
    inner = getattr(feature, "feature", None)
    if not isinstance(inner, datasets.Image):
        fail(f"parquet: images feature is {feature}, not a list of datasets.Image")
    seen = collections.Counter()
    ids = collections.Counter()
    kinds = collections.Counter()
    for row in loaded:
        for image in row["images"]:
            check_image(image, f"parquet {row['id']}")
        seen[key(sample_images[row["image_id"]], row["messages"])] += 1
        ids[row["id"]] += 1
        kinds[row["kind"]] += 1
    compare("parquet", seen, expected)
    duplicated = [k for k, n in ids.items() if n > 1]
    if duplicated:
        fail(f"parquet: samples in more than one row: {duplicated[:5]}")

    configs = {}
    if os.path.exists(os.path.join(out, "README.md")):
        for config in ("default", "caption", "qa"):
            try:
                subset = datasets.load_dataset(out, config, split="train")
            except ValueError as missing:
                if "caption" == config or "qa" == config:
                    configs[config] = 0
                    continue
                raise missing
            for row in subset.select(range(min(3, len(subset)))):
                check_image(row["images"][0], f"config {config} {row['id']}")
            wrong = [row["kind"] for row in subset if config != "default" and row["kind"] != config]
            if wrong:
                fail(f"config {config} holds samples of kind {wrong[0]}")
            configs[config] = len(subset)
    return {
        "shards": len(shards),
        "rows": len(loaded),
        "pyarrow_rows": table_rows,
        "row_groups": row_groups,
        "max_row_group_rows": max_group_rows,
        "kinds": dict(kinds),
        "configs": configs,
    }


def compare(name, seen, expected):
    if seen != expected:
        missing = list((expected - seen).keys())[:2]
        extra = list((seen - expected).keys())[:2]
        fail(f"{name}: conversations differ from sharegpt.jsonl; missing {missing}, extra {extra}")


def sample_image_paths(out):
    """image_id -> the image path sharegpt.jsonl names, from samples.jsonl."""
    paths = {}
    for path in sorted(glob.glob(os.path.join(out, "samples*.jsonl"))):
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    record = json.loads(line)
                    uri = record["image"]["uri"]
                    paths[record["id"]] = uri[len("file://"):] if uri.startswith("file://") else uri
    return paths


def main():
    out = sys.argv[1]
    expected = expected_conversations(out)
    skipped = collections.Counter()
    skipped_path = os.path.join(out, "export-skipped.jsonl")
    if os.path.exists(skipped_path):
        with open(skipped_path, encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    skipped[json.loads(line)["id"]] += 1
    # Samples left out (their image vanished or changed) are not expected in the shards.
    if skipped:
        expected = leave_out(out, expected, set(skipped))
    report = {
        "expected": sum(expected.values()),
        "skipped": len(skipped),
        "webdataset": read_webdataset(out, expected),
        "parquet": read_parquet(out, expected, sample_image_paths(out)),
    }
    print(json.dumps(report))


def leave_out(out, expected, skipped_ids):
    """The expected conversations less those of skipped images (sample ids are <sha256>-caption,
    <sha256>-qa, ...; a skipped image takes all its samples with it)."""
    paths = sample_image_paths(out)
    skipped_images = {paths[sample_id.split("-", 1)[0]] for sample_id in skipped_ids}
    return collections.Counter(
        {k: n for k, n in expected.items() if json.loads(k)[0] not in skipped_images})


if __name__ == "__main__":
    main()
