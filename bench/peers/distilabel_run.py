"""The benchmark workload (describe → ask → answer, the image attached to each call) as a distilabel
pipeline: LoadDataFromDicts >> TextGenerationWithImage (describe) >> (ask) >> parse >> (answer).

distilabel's tasks call the LLM for a batch of rows at once (input_batch_size, concurrently with
asyncio) and hand the batch on when all of it is done; the steps run in separate processes and
overlap. To hold at most --concurrency calls in flight, as Loupe and Curator are held, each of the
three LLM steps gets a batch of concurrency // 3. The pipeline runs with use_cache=True, so a rerun
after a crash resumes from distilabel's cache."""

import time

from distilabel.models.llms import OpenAILLM
from distilabel.pipeline import Pipeline
from distilabel.steps import LoadDataFromDicts, StepInput, step
from distilabel.steps.tasks import TextGenerationWithImage

import common


@step(inputs=["questions_json"], outputs=["question"])
def ParseQuestion(inputs: StepInput):
    for row in inputs:
        row["question"] = common.first_question(row.get("questions_json"))
    yield inputs


def main() -> None:
    args = common.arguments(__doc__)
    batch = max(1, args.concurrency // 3)
    rows = [dict(row, instruction=common.template("describe")) for row in common.images(args.images)]

    def llm(stage: str) -> OpenAILLM:
        return OpenAILLM(
            model=common.MODEL,
            base_url=args.base_url,
            api_key=args.api_key,
            max_retries=8,
            timeout=120,
            generation_kwargs={"max_new_tokens": common.MAX_TOKENS[stage]},
        )

    with Pipeline(name="loupe-bench-caption-qa", cache_dir=args.cache) as pipeline:
        load = LoadDataFromDicts(data=rows, batch_size=batch)
        describe = TextGenerationWithImage(
            name="describe",
            llm=llm("describe"),
            template="{{ instruction }}",
            columns=["instruction"],
            image_type="url",
            input_batch_size=batch,
            output_mappings={"generation": "caption"},
            add_raw_output=False,
            add_raw_input=False,
        )
        ask = TextGenerationWithImage(
            name="ask",
            llm=llm("ask"),
            template=common.template("ask"),
            columns=["caption"],
            image_type="url",
            input_batch_size=batch,
            output_mappings={"generation": "questions_json"},
            add_raw_output=False,
            add_raw_input=False,
        )
        parse = ParseQuestion(name="parse", input_batch_size=batch)
        answer = TextGenerationWithImage(
            name="answer",
            llm=llm("answer"),
            template=common.template("answer"),
            columns=["caption", "question"],
            image_type="url",
            input_batch_size=batch,
            output_mappings={"generation": "answer"},
            add_raw_output=False,
            add_raw_input=False,
        )
        load >> describe >> ask >> parse >> answer

    started = time.monotonic()
    distiset = pipeline.run(use_cache=True)
    samples = list(distiset["default"]["train"]) if distiset else []
    print(f"SECONDS {time.monotonic() - started:.1f}", flush=True)
    common.write_samples(args.out, samples)


if __name__ == "__main__":
    main()
