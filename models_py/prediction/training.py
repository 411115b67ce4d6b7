"""Out-of-time training, evaluation, model choice and scoring for the purchase/spend predictors.

Design. With T the last cutoff (``score``) and H the horizon:

1. fit every candidate and baseline on the ``train`` snapshot (features at T-2H, labels from
   (T-2H, T-H]; a seeded sample of at most ``max_train_rows`` customers, the ``train`` split of
   the metrics);
2. evaluate them on the ``evaluate`` snapshot (features at T-H, labels from (T-H, T]);
3. publish, per task, the model with the best evaluation score among the candidates and the
   BG/NBD baseline (purchase: highest ROC AUC; spend: lowest RMSE; ties go to the simpler model,
   by publish rank in the model registry, registry.py);
4. refit the published models on the latest labelled window (the ``evaluate`` snapshot and its
   labels) and the BG/NBD + Gamma-Gamma pair on the full history at T; score every customer at T.

Short history: if the first order is less than ``min_history_days`` (default: H) before the
``train`` cutoff, or it has fewer than ``min_train_customers`` customers with an order, or only
one label class, the models are fitted and evaluated in-sample on the ``evaluate``
snapshot (``evaluation_mode = 'in_sample'``, split ``in_sample``: optimistic, flagged as such). If
that is not possible either, no supervised model is fitted and BG/NBD + Gamma-Gamma, fitted on the
history at T, are published for both tasks (``evaluation_mode = 'none'``).

Everything here takes and returns DataFrames and plain objects; saving artifacts is the caller's.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from models_py.prediction.metrics import (
    best_f1_threshold,
    classification_metrics,
    regression_metrics,
)
from models_py.prediction.models import TASKS, BtydBaseline, predict_task
from models_py.prediction.registry import (
    BuildContext,
    make_model,
    model_spec,
    publishable_names,
)
from models_py.prediction.snapshots import (
    model_features,
    subsample,
)
from models_py.settings import PredictionSettings

TARGETS = {"purchase": "purchased_next_horizon", "spend": "spend_next_horizon"}


SELECTION = {"purchase": ("roc_auc", "max"), "spend": ("rmse", "min")}


@dataclass
class FittedModel:
    """One fitted model and where its training data came from."""

    model_name: str
    task: str
    kind: str  # candidate | baseline
    fit_role: str  # evaluation (fitted for the out-of-time evaluation) | final (scores at T)
    estimator: object
    train_cutoff: object
    label_window_start: object
    label_window_end: object
    training_rows: int
    threshold: float | None
    features: list[str]
    is_published: bool = False

    @property
    def key(self) -> str:
        return f"{self.fit_role}__{self.task}__{self.model_name}"

    def params_json(self) -> str:
        est = self.estimator
        inner = est.named_steps["model"] if hasattr(est, "named_steps") else est
        params = {k: v for k, v in inner.get_params(deep=False).items() if _jsonable(v)}
        if isinstance(est, BtydBaseline) and hasattr(est, "bgnbd_"):
            params.update(bgnbd=est.bgnbd_.params_, gamma_gamma=est.gamma_gamma_.params_)
        return json.dumps(params, sort_keys=True, default=str)


def _jsonable(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str, list, tuple, dict))


@dataclass
class TrainingResult:
    evaluation_mode: str  # out_of_time | in_sample | none
    cutoffs: dict[str, object]
    models: list[FittedModel]
    metrics: pd.DataFrame  # model_name, task, split, metric, value
    published: dict[str, str]  # task -> model_name
    features: list[str]
    messages: list[str]
    # The published models' predictions on the evaluation split beside the actual outcomes
    # (evaluation_table), kept from the evaluation so prediction_evaluation need not predict
    # again; None when nothing was evaluated.
    evaluation_predictions: pd.DataFrame | None = None


def _last_window_columns(columns, horizon_days: int) -> tuple[str, str]:
    cols = set(columns)
    out = []
    for kind in ("spend", "orders"):
        options = (f"{kind}_last_horizon", f"{kind}_last_{horizon_days}d")
        found = next((c for c in options if c in cols), None)
        if found is None:
            raise KeyError(
                f"the last_window baseline needs a snapshot column {options[0]!r} or "
                f"{options[1]!r} ({kind} in the {horizon_days} days up to the cutoff)"
            )
        out.append(found)
    return out[0], out[1]


def _usable(frame: pd.DataFrame, minimum: int, min_history_days: int) -> tuple[bool, str]:
    if frame.empty:
        return False, "no customers"
    with_history = int((pd.to_numeric(frame.get("frequency"), errors="coerce") >= 1).sum())
    if with_history < minimum:
        return False, f"{with_history} customers with an order (< {minimum})"
    first = pd.to_datetime(frame["first_order_date"]).min()
    history = (frame["as_of_date"].iloc[0] - first).days
    if not history >= min_history_days:
        return False, f"{history} days of order history before it (< {min_history_days})"
    classes = frame["purchased_next_horizon"].nunique()
    if classes < 2:
        return False, "only one label class (everyone or no one bought in the horizon)"
    return True, ""


def _metric_rows(model_name: str, task: str, split: str, values: dict) -> list[dict]:
    return [
        {"model_name": model_name, "task": task, "split": split, "metric": k, "value": v}
        for k, v in values.items()
    ]


def _evaluate(task: str, y, pred, threshold: float | None) -> dict[str, float]:
    if task == "purchase":
        return classification_metrics(y, pred, threshold=threshold)
    return regression_metrics(y, pred)


def train_and_evaluate(
    frames: dict[str, pd.DataFrame],
    settings: PredictionSettings,
    progress: Callable[[str], None] | None = None,
) -> TrainingResult:
    """Fit, evaluate and choose the models; refit the published ones for scoring at T.

    ``progress``, when given, receives one line per fitted model (``[3/15] purchase
    hist_gradient_boosting fitted and evaluated (out_of_time) on 250,000 rows: 29.5s``), so a
    long fit on millions of rows never leaves a silent terminal.
    """
    with threadpool_limits(limits=settings.n_threads):
        return _train_and_evaluate(frames, settings, progress or (lambda _message: None))


def _side_by_side(function: Callable, items: Sequence, settings: PredictionSettings) -> list:
    """``[function(item) for item in items]``, in up to ``settings.n_jobs`` threads.

    The fits spend their time in scikit-learn's compiled code, which releases the GIL, so two
    threads use two cores where one fit at a time leaves the second idle. Each thread sets its
    own OpenMP/BLAS limit: OpenMP's is per thread. Results come back in the order of ``items``.
    """

    def limited(item):
        with threadpool_limits(limits=settings.n_threads):
            return function(item)

    if settings.n_jobs <= 1 or len(items) <= 1:
        return [limited(item) for item in items]
    with ThreadPoolExecutor(max_workers=settings.n_jobs) as pool:
        return list(pool.map(limited, items))


@dataclass
class _Progress:
    """Numbered progress lines (``[3/15] what on 1,000 rows: 2.5s``), safe across threads."""

    report: Callable[[str], None]
    total: int
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def step(self, what: str, rows: int, started: float) -> None:
        elapsed = time.perf_counter() - started
        with self.lock:
            self.done += 1
            self.report(f"[{self.done}/{self.total}] {what} on {rows:,} rows: {elapsed:.1f}s")


@dataclass(frozen=True)
class _Plan:
    """How a run evaluates: the mode, the frame the models are fitted on (None: no supervised
    fit), the splits they are evaluated on, and why the plan fell back, if it did."""

    mode: str  # out_of_time | in_sample | none
    fit_frame: pd.DataFrame | None
    eval_splits: dict[str, pd.DataFrame]
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Run:
    """The read-only inputs every step of one training run shares."""

    settings: PredictionSettings
    context: BuildContext
    frames: dict[str, pd.DataFrame]
    features: list[str]
    plan: _Plan
    progress: _Progress

    @property
    def horizon(self) -> pd.Timedelta:
        return pd.Timedelta(days=self.settings.horizon_days)

    def build(self, name: str, task: str):
        return make_model(name, task, self.context)

    def sample(self, frame: pd.DataFrame) -> pd.DataFrame:
        return subsample(frame, self.settings.max_train_rows, self.settings.random_state)


@dataclass(frozen=True)
class _Evaluated:
    """One model of one task fitted and evaluated: its metric rows, its score on the evaluation
    split (None without one) and, for a publishable model, its predictions there."""

    fitted: FittedModel
    rows: list[dict]
    score: float | None
    predicted: np.ndarray | None


def _plan(frames: dict[str, pd.DataFrame], settings: PredictionSettings) -> _Plan:
    """Out of time when the train cutoff is usable, else in-sample on the evaluate cutoff, else
    no supervised fit at all."""
    train, evaluate = frames["train"], frames["evaluate"]
    min_days = (
        settings.horizon_days if settings.min_history_days is None else settings.min_history_days
    )
    ok_train, why_train = _usable(train, settings.min_train_customers, min_days)
    ok_eval, why_eval = _usable(evaluate, settings.min_train_customers, min_days)
    if ok_train and len(evaluate):
        return _Plan(mode="out_of_time", fit_frame=train, eval_splits={"evaluate": evaluate})
    if ok_eval:
        message = (
            f"history too short for an out-of-time evaluation: the train cutoff has {why_train}; "
            "models are fitted and evaluated in-sample on the evaluate cutoff (optimistic)"
        )
        return _Plan(
            mode="in_sample",
            fit_frame=evaluate,
            eval_splits={"in_sample": evaluate},
            messages=(message,),
        )
    message = (
        f"history too short to fit the supervised models (train cutoff: {why_train}; "
        f"evaluate cutoff: {why_eval}); publishing BG/NBD + Gamma-Gamma fitted on the "
        "history at the score cutoff, unevaluated"
    )
    return _Plan(mode="none", fit_frame=None, eval_splits={}, messages=(message,))


def _new_run(
    frames: dict[str, pd.DataFrame],
    settings: PredictionSettings,
    progress: Callable[[str], None],
) -> _Run:
    score = frames["score"]
    features = model_features(score.columns, settings)
    categorical = [c for c in features if c in settings.categorical_features]
    spend_col, orders_col = _last_window_columns(score.columns, settings.horizon_days)
    context = BuildContext(
        numeric=[c for c in features if c not in categorical],
        categorical=categorical,
        last_window_spend=spend_col,
        last_window_orders=orders_col,
        settings=settings,
    )
    plan = _plan(frames, settings)
    names = (*settings.candidates, *settings.baselines)
    fits = len(TASKS) * len(names) if plan.fit_frame is not None else 0
    return _Run(
        settings=settings,
        context=context,
        frames=frames,
        features=features,
        plan=plan,
        progress=_Progress(report=progress, total=fits + len(TASKS) + 1),
    )


def _purchase_threshold(name: str, y: pd.Series, fitted_pred: np.ndarray) -> float:
    """0.5 for a fixed-threshold model, else the best F1 on the rows it was fitted on (never on
    the evaluate split)."""
    if model_spec(name).fixed_threshold:
        return 0.5
    return best_f1_threshold(y, fitted_pred)


def _fit_and_evaluate(
    run: _Run,
    fit_sample: pd.DataFrame,
    btyd_fit: BtydBaseline | None,
    job: tuple[str, str],
) -> _Evaluated:
    """Fit one model of one task on the shared sample and evaluate it on the evaluation splits."""
    task, name = job
    started = time.perf_counter()
    target = TARGETS[task]
    spec = model_spec(name)
    est = btyd_fit.with_task(task) if name == "btyd" else run.build(name, task)
    if name != "btyd":
        est.fit(fit_sample, fit_sample[target])
    fitted_pred = predict_task(est, task, fit_sample)
    threshold = None
    if task == "purchase":
        threshold = _purchase_threshold(name, fit_sample[target], fitted_pred)
    rows: list[dict] = []
    if run.plan.mode == "out_of_time":
        values = _evaluate(task, fit_sample[target], fitted_pred, threshold)
        rows += _metric_rows(name, task, "train", values)
    score_value, predicted = None, None
    for split, frame in run.plan.eval_splits.items():
        pred = predict_task(est, task, frame)
        values = _evaluate(task, frame[target], pred, threshold)
        rows += _metric_rows(name, task, split, values)
        score_value = values[SELECTION[task][0]]
        if spec.publish_rank is not None:
            predicted = pred
    run.progress.step(
        f"{task} {name} fitted and evaluated ({run.plan.mode})", len(fit_sample), started
    )
    fit_cut = fit_sample["as_of_date"].iloc[0]
    fitted = FittedModel(
        model_name=name,
        task=task,
        kind=spec.kind,
        fit_role="evaluation",
        estimator=est,
        train_cutoff=fit_cut,
        label_window_start=fit_cut,
        label_window_end=fit_cut + run.horizon,
        training_rows=len(fit_sample),
        threshold=threshold,
        features=[] if spec.is_baseline else run.features,
    )
    return _Evaluated(fitted=fitted, rows=rows, score=score_value, predicted=predicted)


def _fit_and_evaluate_all(run: _Run) -> dict[tuple[str, str], _Evaluated]:
    """Every model of every task fitted on one seeded sample and evaluated, side by side."""
    fit_sample = run.sample(run.plan.fit_frame)
    names = (*run.settings.candidates, *run.settings.baselines)
    # One BG/NBD + Gamma-Gamma fit serves both tasks (it does not read the labels).
    btyd_fit = run.build("btyd", "purchase").fit(fit_sample) if "btyd" in names else None
    # The slow fits first, so parallel threads share out the quick ones after them.
    jobs = [(task, name) for task in TASKS for name in names]
    queue = sorted(jobs, key=lambda job: not model_spec(job[1]).slow_fit)
    fit_one = functools.partial(_fit_and_evaluate, run, fit_sample, btyd_fit)
    return dict(zip(queue, _side_by_side(fit_one, queue, run.settings), strict=True))


@dataclass(frozen=True)
class _Evaluation:
    """The evaluation's outcome: fitted models, metric rows, the published model per task and
    the published models' predictions on the evaluation split (None when not every task has
    a publishable model with predictions)."""

    models: list[FittedModel]
    metric_rows: list[dict]
    published: dict[str, str]
    predictions: pd.DataFrame | None


def _evaluation(run: _Run) -> _Evaluation:
    if run.plan.fit_frame is None:
        return _Evaluation(models=[], metric_rows=[], published={}, predictions=None)
    done = _fit_and_evaluate_all(run)
    names = (*run.settings.candidates, *run.settings.baselines)
    models: list[FittedModel] = []
    metric_rows: list[dict] = []
    published: dict[str, str] = {}
    chosen: dict[str, np.ndarray | None] = {}
    for task in TASKS:
        evaluated = [done[(task, name)] for name in names]
        models += [e.fitted for e in evaluated]
        metric_rows += [row for e in evaluated for row in e.rows]
        scores = {e.fitted.model_name: e.score for e in evaluated if e.score is not None}
        published[task] = _choose(scores, *SELECTION[task])
        predictions = {e.fitted.model_name: e.predicted for e in evaluated}
        chosen[task] = predictions.get(published[task])
    table = None
    if all(chosen[task] is not None for task in TASKS):
        table = evaluation_table(run.frames["evaluate"], chosen["purchase"], chosen["spend"])
    return _Evaluation(
        models=models, metric_rows=metric_rows, published=published, predictions=table
    )


def _fit_btyd_final(run: _Run) -> BtydBaseline:
    """BG/NBD + Gamma-Gamma on a seeded sample of the customers at the score cutoff."""
    started = time.perf_counter()
    score = run.frames["score"]
    fitted = run.build("btyd", "spend").fit(run.sample(score))
    rows = min(len(score), run.settings.max_train_rows)
    run.progress.step("clv btyd refitted at the score cutoff", rows, started)
    return fitted


def _refit(
    run: _Run,
    evaluation: _Evaluation,
    task: str,
    btyd_final: BtydBaseline | None = None,
) -> FittedModel:
    """The published model of one task, refitted on the latest labelled window (a published
    BG/NBD is ``btyd_final``, the fit at T)."""
    started = time.perf_counter()
    name = evaluation.published[task]
    spec = model_spec(name)
    if name == "btyd":
        score = run.frames["score"]
        est = btyd_final.with_task(task)
        rows = min(len(score), run.settings.max_train_rows)
        cut, start, end = score["as_of_date"].iloc[0], None, None
    else:
        sample = run.sample(run.frames["evaluate"])
        est = run.build(name, task).fit(sample, sample[TARGETS[task]])
        cut, rows = sample["as_of_date"].iloc[0], len(sample)
        start, end = cut, cut + run.horizon
    run.progress.step(f"{task} {name} refitted for scoring", rows, started)
    threshold = next(
        (m.threshold for m in evaluation.models if m.model_name == name and m.task == task), None
    )
    if task == "purchase" and threshold is None:
        threshold = 0.5
    return FittedModel(
        model_name=name,
        task=task,
        kind=spec.kind,
        fit_role="final",
        estimator=est,
        train_cutoff=cut,
        label_window_start=start,
        label_window_end=end,
        training_rows=rows,
        threshold=threshold,
        features=[] if spec.is_baseline else run.features,
        is_published=True,
    )


def _final_job(run: _Run, evaluation: _Evaluation, job: str):
    return _fit_btyd_final(run) if job == "clv" else _refit(run, evaluation, job)


def _final_fits(run: _Run, evaluation: _Evaluation) -> list[FittedModel]:
    """The published models refitted for scoring at T, and the BG/NBD pair fitted at T."""
    # The BG/NBD fit at T runs beside the refits of the published candidates, after them in the
    # queue as it is the quickest; tasks that publish BG/NBD take that fit once it is done.
    candidates = [task for task in TASKS if evaluation.published[task] != "btyd"]
    final_job = functools.partial(_final_job, run, evaluation)
    finals = _side_by_side(final_job, [*candidates, "clv"], run.settings)
    btyd_final = finals[-1]
    refitted = dict(zip(candidates, finals[:-1], strict=True))
    models = [
        refitted[task] if task in refitted else _refit(run, evaluation, task, btyd_final)
        for task in TASKS
    ]
    score = run.frames["score"]
    clv = FittedModel(
        model_name="btyd",
        task="clv",
        kind="baseline",
        fit_role="final",
        estimator=btyd_final,
        train_cutoff=score["as_of_date"].iloc[0],
        label_window_start=None,
        label_window_end=None,
        training_rows=min(len(score), run.settings.max_train_rows),
        threshold=None,
        features=[],
        is_published=True,
    )
    return [*models, clv]


def _train_and_evaluate(
    frames: dict[str, pd.DataFrame],
    settings: PredictionSettings,
    progress: Callable[[str], None],
) -> TrainingResult:
    run = _new_run(frames, settings, progress)
    evaluation = _evaluation(run)
    # Without an evaluation, BG/NBD is published for every task.
    for task in TASKS:
        evaluation.published.setdefault(task, "btyd")
    models = [*evaluation.models, *_final_fits(run, evaluation)]
    for m in models:
        if m.fit_role == "evaluation" and evaluation.published.get(m.task) == m.model_name:
            m.is_published = True
    metrics = pd.DataFrame(
        evaluation.metric_rows, columns=["model_name", "task", "split", "metric", "value"]
    )
    cutoffs = {
        role: frame["as_of_date"].iloc[0] if len(frame) else None for role, frame in frames.items()
    }
    return TrainingResult(
        evaluation_mode=run.plan.mode,
        cutoffs=cutoffs,
        models=models,
        metrics=metrics,
        published=evaluation.published,
        features=run.features,
        messages=[*run.plan.messages, *_convergence_messages(models)],
        evaluation_predictions=evaluation.predictions,
    )


def _convergence_messages(models: Sequence[FittedModel]) -> list[str]:
    """A warning for each BG/NBD or Gamma-Gamma fit whose optimizer did not converge."""
    messages, seen = [], set()
    for m in models:
        if not isinstance(m.estimator, BtydBaseline):
            continue
        for part in (m.estimator.bgnbd_, m.estimator.gamma_gamma_):
            if id(part) in seen or part.converged_:
                continue  # the tasks of one fit share its models
            seen.add(id(part))
            messages.append(
                f"{type(part).__name__} ({m.fit_role} fit) did not converge; "
                "its predictions may be off"
            )
    return messages


def evaluation_table(
    evaluate: pd.DataFrame, p_purchase: np.ndarray, predicted_spend: np.ndarray
) -> pd.DataFrame:
    """One row per customer of the evaluation split: the predictions beside what the customer
    did in the horizon (prediction_evaluation's columns, less the model names and mode)."""
    return pd.DataFrame(
        {
            "customer_id": evaluate["customer_id"].astype(str).to_numpy(),
            "as_of_date": pd.to_datetime(evaluate["as_of_date"]).dt.date.to_numpy(),
            "p_purchase": np.asarray(p_purchase, dtype=float),
            "predicted_spend": np.asarray(predicted_spend, dtype=float),
            "purchased_next_horizon": evaluate["purchased_next_horizon"].astype(bool).to_numpy(),
            "spend_next_horizon": evaluate["spend_next_horizon"].astype(float).to_numpy(),
        }
    )


def _choose(scores: dict[str, float], metric: str, direction: str) -> str:
    best_name, best_value = "btyd", None
    for name in publishable_names():
        value = scores.get(name)
        if value is None or not np.isfinite(value):
            continue
        better = (
            best_value is None
            or (direction == "max" and value > best_value)
            or (direction == "min" and value < best_value)
        )
        if better:
            best_name, best_value = name, value
    return best_name
