"""``lapor-bridge classifier …``: train, evaluate and query the routing model."""

from __future__ import annotations

import json
from pathlib import Path

import click

from classifiers.deploy import install, promote
from classifiers.evaluation import evaluate
from classifiers.model import STARTER_DATA as STARTER_DATA_PATH
from classifiers.model import ModelError, load_model, read_labelled_csv, train_and_save
from classifiers.retrain import is_held_back

_data = click.option(
    "--data", "data_path", required=True, type=click.Path(exists=True, dir_okay=False)
)
_text_column = click.option("--text-column", default="text", show_default=True)
_label_column = click.option("--label-column", default="opd", show_default=True)


def _read(path: str, text_column: str, label_column: str) -> tuple[list[str], list[str]]:
    try:
        return read_labelled_csv(path, text_column, label_column)
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.UsageError(str(exc)) from exc


def _echo_json(payload: object) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


@click.group()
def classifier() -> None:
    """The routing model: complaint text → agency (OPD)."""


@classifier.command()
@_data
@_text_column
@_label_column
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option(
    "--validation-fraction",
    default=0.1,
    show_default=True,
    type=click.FloatRange(0, 0.5),
    help="Share held back to measure the metrics recorded with the model (0: none).",
)
@click.pass_obj
def train(obj, data_path, text_column, label_column, out_dir, validation_fraction) -> None:
    """Train on a labelled CSV and write a versioned model directory to OUT."""
    texts, labels = _read(data_path, text_column, label_column)
    metrics: dict[str, object] = {}
    if validation_fraction > 0:
        held = [is_held_back(text, validation_fraction) for text in texts]
        probe = train_and_save(
            [t for t, h in zip(texts, held, strict=True) if not h],
            [label for label, h in zip(labels, held, strict=True) if not h],
            Path(out_dir),
            source=f"{Path(data_path).name} (validation run)",
        )
        report = evaluate(
            probe,
            [t for t, h in zip(texts, held, strict=True) if h],
            [label for label, h in zip(labels, held, strict=True) if h],
            obj.settings.classifier.threshold,
        )
        metrics = {
            "validation": {key: report[key] for key in _SUMMARY_KEYS},
            "validation_fraction": validation_fraction,
        }
    model = train_and_save(texts, labels, out_dir, source=Path(data_path).name, metrics=metrics)
    _echo_json({"model_dir": str(out_dir), "version": model.version, **metrics})


_SUMMARY_KEYS = ("examples", "accuracy", "macro_f1", "threshold", "coverage", "auto_precision")


@classifier.command("train-starter")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Model link to install at (default: the configured model_dir).",
)
@click.pass_obj
def train_starter(obj, out_dir) -> None:
    """Train the starter model from the bundled hand-written set and install it."""
    model_dir = Path(out_dir or obj.settings.classifier.model_dir)
    texts, labels = read_labelled_csv(STARTER_DATA_PATH)
    model, version_dir = install(texts, labels, model_dir, source=STARTER_DATA_PATH.name)
    _echo_json(
        {"model_dir": str(model_dir), "version_dir": str(version_dir), "version": model.version}
    )


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
    _echo_json({"model_dir": obj.settings.classifier.model_dir, "version": model.version})


@classifier.command("evaluate")
@click.option("--model", "model_dir", required=True, type=click.Path(file_okay=False))
@_data
@_text_column
@_label_column
@click.option("--threshold", type=click.FloatRange(0, 1), help="Default: the configured one.")
@click.pass_obj
def evaluate_command(obj, model_dir, data_path, text_column, label_column, threshold) -> None:
    """Print one JSON object measuring the model on a labelled CSV."""
    try:
        model = load_model(model_dir)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc
    texts, labels = _read(data_path, text_column, label_column)
    if not texts:
        raise click.UsageError(f"{data_path}: no labelled rows")
    threshold = obj.settings.classifier.threshold if threshold is None else threshold
    _echo_json(evaluate(model, texts, labels, threshold))


@classifier.command()
@click.argument("text")
@click.option("-k", "top", default=3, show_default=True, type=click.IntRange(1, 20))
@click.pass_obj
def predict(obj, text, top) -> None:
    """Print the top agencies for TEXT with the configured model."""
    try:
        model = load_model(obj.settings.classifier.model_dir)
    except ModelError as exc:
        raise click.ClickException(f"{exc} (run 'lapor-bridge classifier train-starter')") from exc
    ranking = model.predict([text], k=top)[0]
    _echo_json(
        {
            "model_version": model.version,
            "threshold": obj.settings.classifier.threshold,
            "top": [{"opd": label, "score": round(score, 4)} for label, score in ranking],
        }
    )


@classifier.command("retrain")
@_data
@click.option(
    "--corrections",
    "corrections_path",
    type=click.Path(exists=True, dir_okay=False),
    help="CSV of re-routings (same columns as --data); default: officers' re-routes in the DB.",
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
    """Retrain on base data plus corrections; promote only if no worse."""
    from lapor_bridge.services.context import build_context
    from lapor_bridge.services.retraining import retrain_from_history

    corrections = None
    if corrections_path:
        corrections = list(zip(*_read(corrections_path, text_column, label_column), strict=True))
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
            "current_score": result.current_score,
            "candidate_score": result.candidate_score,
            "holdout_size": result.holdout_size,
            "candidate_dir": str(result.model_dir),
        }
    )
