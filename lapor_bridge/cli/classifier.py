"""``lapor-bridge classifier …``: train, evaluate and query the routing model.

The model's labels are service categories (``lapor_bridge.domain.categories``) or, for
an older model or a region whose history names only agencies that the routing table
cannot tell apart, agency codes: the model directory records which (its ``target``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from classifiers.categories import (
    categories_of_agencies,
    category_of_topic,
    load_topic_map,
    read_routing_table,
)
from classifiers.deploy import install, promote
from classifiers.evaluation import evaluate
from classifiers.model import (
    AGENCY,
    CATEGORY,
    TARGETS,
    ModelError,
    load_model,
    read_csv_rows,
    read_labelled_csv,
    train_and_save,
)
from classifiers.model import STARTER_DATA as STARTER_DATA_PATH
from classifiers.retrain import is_held_back
from lapor_bridge.domain.categories import CODES

_data = click.option(
    "--data", "data_path", required=True, type=click.Path(exists=True, dir_okay=False)
)
_text_column = click.option("--text-column", default="text", show_default=True)
_label_column = click.option(
    "--label-column", default=CATEGORY, show_default=True,
    help="The label: a category code, or an agency code (see --routing).",
)
_topic_map = click.option(
    "--topic-map", "topic_map_path", type=click.Path(exists=True, dir_okay=False),
    help="topic,unit_group,category CSV (e.g. classifiers/topic_categories.csv): the "
         "category is that of each row's 'topic' (and 'unit_group') column, not a label column.",
)
_routing = click.option(
    "--routing", "routing_path", type=click.Path(exists=True, dir_okay=False),
    help="Routing table CSV with the columns category,agency.",
)
_TOP_NOTE = 10


def _echo_json(payload: object) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


def _note(notes: list[str], message: str) -> None:
    notes.append(message)
    click.echo(f"note: {message}", err=True)


def _rows(path: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        return read_csv_rows(path, columns)
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.UsageError(str(exc)) from exc


def _table(path: str) -> dict[str, str]:
    try:
        table = read_routing_table(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.UsageError(str(exc)) from exc
    unknown = sorted(set(table) - set(CODES))
    if unknown:
        raise click.UsageError(f"{path}: not category codes: {unknown}")
    return table


def _labelled(
    data_path: str,
    text_column: str,
    label_column: str,
    topic_map_path: str | None,
    extra_column: str | None = None,
) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels, extras) of the rows with a text, a label (and an extra value):
    labels from ``label_column``, or the category of each row's topic."""
    needed = (text_column, label_column) if topic_map_path is None else (text_column, "topic")
    rows = _rows(data_path, needed + ((extra_column,) if extra_column else ()))
    if topic_map_path is not None:
        try:
            mapping = load_topic_map(topic_map_path)
        except (ValueError, UnicodeDecodeError) as exc:
            raise click.UsageError(str(exc)) from exc
        unmapped = Counter(row["topic"] for row in rows if row[text_column] and category_of_topic(
            mapping, row["topic"], row.get("unit_group", "")) is None)
        if unmapped:
            listed = ", ".join(f"{topic!r} ({n})" for topic, n in unmapped.most_common(_TOP_NOTE))
            raise click.UsageError(
                f"{sum(unmapped.values())} rows have a topic with no category in "
                f"{topic_map_path}: {listed}"
            )
        for row in rows:
            row[label_column] = category_of_topic(
                mapping, row["topic"], row.get("unit_group", "")) or ""
    kept = [row for row in rows if row[text_column] and row[label_column]
            and (extra_column is None or row[extra_column])]
    return ([row[text_column] for row in kept], [row[label_column] for row in kept],
            [row[extra_column] for row in kept] if extra_column else [])


def _training_labels(
    labels: list[str], target: str | None, topic_map_path: str | None,
    routing_path: str | None, notes: list[str],
) -> tuple[list[str], str]:
    """The labels to train on and the model's target (see ``classifier train``)."""
    if topic_map_path is not None and (routing_path is not None or target == AGENCY):
        raise click.UsageError("--topic-map gives categories: it goes without --routing "
                               "and --target agency")
    if routing_path is not None:
        if target == AGENCY:
            return labels, AGENCY
        known, ambiguous = categories_of_agencies(labels, _table(routing_path))
        if not ambiguous:
            _note(notes, f"categories inferred from the agencies through {routing_path}: "
                  + ", ".join(f"{agency} → {category}" for agency, category in known.items()))
            return [known[agency] for agency in labels], CATEGORY
        problems = "; ".join(
            f"{agency} takes {', '.join(categories) if categories else 'no category'}"
            for agency, categories in ambiguous.items()
        )
        if target == CATEGORY:
            raise click.UsageError(f"cannot tell the category from the agency in "
                                   f"{routing_path}: {problems}")
        _note(notes, f"trained as an agency model (target: agency), not a category model: "
              f"in {routing_path} {problems}, so a complaint's category cannot be told "
              f"from its agency")
        return labels, AGENCY
    unknown = sorted(set(labels) - set(CODES))
    if target is None:
        target = AGENCY if unknown else CATEGORY
        if unknown:
            _note(notes, f"labels are not category codes ({', '.join(unknown[:_TOP_NOTE])}"
                  f"{' …' if len(unknown) > _TOP_NOTE else ''}): trained as an agency model "
                  f"(target: agency); give --routing to infer categories from agencies")
    elif target == CATEGORY and unknown:
        raise click.UsageError(f"not category codes: {unknown[:_TOP_NOTE]}")
    return labels, target


@click.group()
def classifier() -> None:
    """The routing model: complaint text → service category (or agency)."""


_SUMMARY_KEYS = {
    CATEGORY: ("examples", "top1", "top3", "macro_f1"),
    AGENCY: ("examples", "accuracy", "macro_f1", "threshold", "coverage", "auto_precision"),
}


@classifier.command()
@_data
@_text_column
@_label_column
@_topic_map
@_routing
@click.option("--target", type=click.Choice(TARGETS),
              help="What the labels are (default: category when every label is a category "
                   "code, else agency).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option(
    "--validation-fraction",
    default=0.1,
    show_default=True,
    type=click.FloatRange(0, 0.5),
    help="Share held back to measure the metrics recorded with the model (0: none).",
)
@click.pass_obj
def train(obj, data_path, text_column, label_column, topic_map_path, routing_path, target,
          out_dir, validation_fraction) -> None:
    """Train on a labelled CSV and write a versioned model directory to OUT.

    Labels are category codes (--label-column, or --topic-map to take each row's
    topic's category). A region whose history names only agencies gives its routing
    table (--routing): the category is inferred for every agency the table sends exactly
    one category to; if any agency takes none or several, the model is trained on the
    agencies themselves (target: agency), and the command says so.
    """
    texts, labels, _ = _labelled(data_path, text_column, label_column, topic_map_path)
    if not texts:
        raise click.UsageError(f"{data_path}: no labelled rows")
    notes: list[str] = []
    labels, target = _training_labels(labels, target, topic_map_path, routing_path, notes)
    metrics: dict[str, object] = {}
    if validation_fraction > 0:
        held = [is_held_back(text, validation_fraction) for text in texts]
        probe = train_and_save(
            [t for t, h in zip(texts, held, strict=True) if not h],
            [label for label, h in zip(labels, held, strict=True) if not h],
            Path(out_dir),
            source=f"{Path(data_path).name} (validation run)",
            target=target,
        )
        report = evaluate(
            probe,
            [t for t, h in zip(texts, held, strict=True) if h],
            [label for label, h in zip(labels, held, strict=True) if h],
            obj.settings.classifier.threshold,
        )
        metrics = {
            "validation": {key: report[key] for key in _SUMMARY_KEYS[target]},
            "validation_fraction": validation_fraction,
        }
    model = train_and_save(texts, labels, out_dir, source=Path(data_path).name,
                           metrics=metrics, target=target)
    payload = {"model_dir": str(out_dir), "version": model.version, "target": model.target,
               "labels": len(model.labels), **metrics}
    if model.manifest["left_out_labels"]:
        _note(notes, f"too few examples to learn, left out: {model.manifest['left_out_labels']}")
    if notes:
        payload["notes"] = notes
    _echo_json(payload)


@classifier.command("train-starter")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Model link to install at (default: the configured model_dir).",
)
@click.pass_obj
def train_starter(obj, out_dir) -> None:
    """Train the starter category model from the bundled hand-written set and install it."""
    model_dir = Path(out_dir or obj.settings.classifier.model_dir)
    texts, labels = read_labelled_csv(STARTER_DATA_PATH, label_column=CATEGORY)
    model, version_dir = install(texts, labels, model_dir, source=STARTER_DATA_PATH.name,
                                 target=CATEGORY)
    _echo_json({"model_dir": str(model_dir), "version_dir": str(version_dir),
                "version": model.version, "target": model.target})


@classifier.command("promote")
@click.argument("version_dir", type=click.Path(exists=True, file_okay=False))
@click.pass_obj
def promote_command(obj, version_dir) -> None:
    """Make the configured model_dir point at VERSION_DIR (checked by loading it)."""
    try:
        model = load_model(version_dir)
        promote(version_dir, obj.settings.classifier.model_dir)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo_json({"model_dir": obj.settings.classifier.model_dir, "version": model.version,
                "target": model.target})


@classifier.command("evaluate")
@click.option("--model", "model_dir", required=True, type=click.Path(file_okay=False))
@_data
@_text_column
@_label_column
@_topic_map
@_routing
@click.option("--agency-column",
              help="The agency that handled each complaint (with --routing: the "
                   "'confirmed' figures, and the truth of 'model_only').")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Default: the configured one.")
@click.pass_obj
def evaluate_command(obj, model_dir, data_path, text_column, label_column, topic_map_path,
                     routing_path, agency_column, threshold) -> None:
    """Print one JSON object measuring the model on a labelled CSV.

    A category model: top-1/top-3 on the categories; with --routing also the agencies:
    'model_only' (category probabilities summed per agency of the table, coverage and
    auto-precision at the threshold) and, with --agency-column, 'confirmed' (the true
    category through the table). An agency model: the agency figures on agency labels
    (--label-column opd).
    """
    try:
        model = load_model(model_dir)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc
    if model.target == AGENCY and (routing_path or topic_map_path or agency_column):
        raise click.UsageError(f"{model_dir} predicts agencies (target: agency): "
                               f"--routing, --topic-map and --agency-column apply to "
                               f"category models; give --label-column with the agencies")
    if agency_column and not routing_path:
        raise click.UsageError("--agency-column needs --routing (the table that turns "
                               "categories into agencies)")
    texts, labels, agencies = _labelled(data_path, text_column, label_column, topic_map_path,
                                        agency_column)
    if not texts:
        raise click.UsageError(f"{data_path}: no labelled rows")
    threshold = obj.settings.classifier.threshold if threshold is None else threshold
    routing = _table(routing_path) if routing_path else None
    _echo_json(evaluate(model, texts, labels, threshold, routing=routing,
                        agencies=agencies if agency_column else None))


@classifier.command()
@click.argument("text")
@click.option("-k", "top", default=3, show_default=True, type=click.IntRange(1, 20))
@click.pass_obj
def predict(obj, text, top) -> None:
    """Print the top labels (categories, or agencies for an older model) for TEXT with
    the configured model."""
    try:
        model = load_model(obj.settings.classifier.model_dir)
    except ModelError as exc:
        raise click.ClickException(f"{exc} (run 'lapor-bridge classifier train-starter')") from exc
    ranking = model.predict([text], k=top)[0]
    _echo_json(
        {
            "model_version": model.version,
            "target": model.target,
            "threshold": obj.settings.classifier.threshold,
            "top": [{"label": label, "score": round(score, 4)} for label, score in ranking],
        }
    )


@classifier.command("retrain")
@_data
@click.option(
    "--corrections",
    "corrections_path",
    type=click.Path(exists=True, dir_okay=False),
    help="CSV of corrections (same columns as --data); default: the categories officers "
         "chose, recorded in the DB.",
)
@_text_column
@_label_column
@click.option(
    "--holdout-fraction", default=0.15, show_default=True, type=click.FloatRange(0.01, 0.5)
)
@click.pass_obj
def retrain_command(
    obj, data_path, corrections_path, text_column, label_column, holdout_fraction
) -> None:
    """Retrain a category model on base data plus corrections; promote only if no worse
    (an agency model in place is replaced)."""
    from lapor_bridge.services.context import build_context
    from lapor_bridge.services.retraining import retrain_from_history

    corrections = None
    if corrections_path:
        texts, labels, _ = _labelled(corrections_path, text_column, label_column, None)
        corrections = list(zip(texts, labels, strict=True))
    try:
        result = retrain_from_history(
            build_context(obj.settings, load_model=False), data_path,
            corrections=corrections, text_column=text_column, label_column=label_column,
            holdout_fraction=holdout_fraction,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    _echo_json(
        {
            "promoted": result.promoted,
            "target": result.target,
            "current_target": result.current_target,
            "current_score": result.current_score,
            "candidate_score": result.candidate_score,
            "holdout_size": result.holdout_size,
            "candidate_dir": str(result.model_dir),
        }
    )
