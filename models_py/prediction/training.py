"""Rolling-origin backtests, model choice, calibration and scoring for the purchase/spend
predictors.

Design. With T the last cutoff (``score``) and H the horizon (docs/backtests.md):

1. for each backtest fold i = 1..``backtest_folds`` the history supports, fit every candidate
   and baseline on the ``training_cutoffs`` cutoffs before T-iH, stacked as rows (a seeded
   sample of at most ``backtest_max_rows``; the ``train`` split of the metrics), and evaluate
   them at T-iH (labels from (T-iH, T-(i-1)H], split ``evaluate``, column ``fold`` = i);
2. publish, per task, the model with the best mean metric over the folds among the candidates
   AND the baselines (purchase: ROC AUC; spend: RMSE), preferring the simplest model within
   one standard error of the best (selection.py); a published baseline comes with a warning;
3. calibrate the published purchase probabilities (Platt) and spend totals on their
   out-of-fold predictions, kept only where the backtests say it helps; with
   ``season_calibration`` and the history for it, the spend totals by the season a year earlier
   (the published spend model fitted a year before each window, as it is fitted for scoring);
4. refit the published models on the latest ``training_cutoffs`` labelled cutoffs and the
   BG/NBD + Gamma-Gamma pair on the full history at T; score every customer at T.

Short history: folds the cutoffs cannot support are skipped with a message. Without any fold
the models are fitted and evaluated in-sample on the ``evaluate`` snapshot (``evaluation_mode =
'in_sample'``, split ``in_sample``: optimistic, flagged as such); if that is not possible
either, no supervised model is fitted and BG/NBD + Gamma-Gamma, fitted on the history at T, are
published for both tasks (``evaluation_mode = 'none'``).

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

from models_py.prediction.backtests import (
    MIN_FOLDS,
    Fold,
    cutoffs_by_depth,
    plan_folds,
    season_lag,
    season_references,
    stack_frames,
    usable_roles,
)
from models_py.prediction.calibration import spend_ratio
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
)
from models_py.prediction.selection import (
    METRIC_COLUMNS,
    PublishedCalibration,
    calibrate_published,
    select_published,
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
    # The published purchase model's reliability table over the backtest folds (raw and, with
    # two folds or more, leave-one-fold-out calibrated); None without an evaluation.
    reliability: pd.DataFrame | None = None


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


def _metric_rows(
    model_name: str, task: str, split: str, values: dict, fold: int, cutoff
) -> list[dict]:
    return [
        {
            "model_name": model_name,
            "task": task,
            "split": split,
            "fold": fold,
            "cutoff_date": cutoff,
            "metric": k,
            "value": v,
        }
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
class _FoldData:
    """One fold's data: the (stacked, sampled) rows the models are fitted on, the rows of its
    latest training cutoff (BG/NBD reads one cutoff's histories, not stacked ones) and the rows
    it is evaluated on, under split name ``split`` (evaluate, or in_sample)."""

    number: int
    split: str
    fit_frame: pd.DataFrame
    btyd_frame: pd.DataFrame
    evaluate: pd.DataFrame

    @property
    def cutoff(self) -> pd.Timestamp:
        return pd.Timestamp(self.evaluate["as_of_date"].iloc[0])


@dataclass(frozen=True)
class _Plan:
    """How a run evaluates: the mode, its folds (none: no supervised fit), the cutoffs the
    published models are refitted on, and what the plan had to leave out."""

    mode: str  # out_of_time | in_sample | none
    folds: tuple[_FoldData, ...]
    final_roles: tuple[str, ...]
    messages: tuple[str, ...] = ()
    depths: dict[int, str] = field(default_factory=dict)  # horizons back -> role
    usable: dict[str, str] = field(default_factory=dict)  # role -> '' or why it is not usable


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

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.settings.candidates, *self.settings.baselines)

    def build(self, name: str, task: str):
        return make_model(name, task, self.context)

    def sample(self, frame: pd.DataFrame) -> pd.DataFrame:
        return subsample(frame, self.settings.max_train_rows, self.settings.random_state)


@dataclass(frozen=True)
class _Evaluated:
    """One model of one task fitted and evaluated on one fold: its metric rows, its selection
    score and its predictions on the fold's evaluation rows."""

    fitted: FittedModel
    fold: int
    rows: list[dict]
    score: float | None
    predicted: np.ndarray


def _min_history_days(settings: PredictionSettings) -> int:
    return settings.horizon_days if settings.min_history_days is None else settings.min_history_days


def _plan(frames: dict[str, pd.DataFrame], settings: PredictionSettings) -> _Plan:
    """Backtest folds where the cutoffs support them (out of time), else in-sample on the
    evaluate cutoff, else no supervised fit at all."""
    usable = {
        role: _usable(frame, settings.min_train_customers, _min_history_days(settings))[1]
        for role, frame in frames.items()
        if role != "score"
    }
    dates = {role: f["as_of_date"].iloc[0] for role, f in frames.items() if len(f)}
    depths = cutoffs_by_depth(dates, settings.horizon_days) if "score" in dates else {}
    folds = plan_folds(depths, usable, settings.backtest_folds, settings.training_cutoffs)
    grid = {"depths": depths, "usable": usable}
    if folds.folds:
        messages = list(folds.messages)
        if len(folds.folds) < MIN_FOLDS:
            messages.append(
                f"only {len(folds.folds)} backtest fold(s) (backtest_folds = "
                f"{settings.backtest_folds}): the model choice rests on fewer than {MIN_FOLDS} "
                "evaluation windows"
            )
        data = tuple(_fold_data(frames, fold, settings) for fold in folds.folds)
        return _Plan("out_of_time", data, folds.final_roles, tuple(messages), **grid)
    evaluate = frames.get("evaluate")
    if evaluate is not None and usable.get("evaluate") == "":
        message = (
            f"history too short for an out-of-time evaluation: the train cutoff has "
            f"{usable.get('train') or 'no rows'}; models are fitted and evaluated in-sample on "
            "the evaluate cutoff (optimistic)"
        )
        sample = subsample(evaluate, settings.max_train_rows, settings.random_state)
        fold = _FoldData(1, "in_sample", sample, sample, evaluate)
        return _Plan("in_sample", (fold,), ("evaluate",), (message,), **grid)
    message = (
        f"history too short to fit the supervised models (train cutoff: "
        f"{usable.get('train') or 'no rows'}; evaluate cutoff: "
        f"{usable.get('evaluate') or 'no rows'}); publishing BG/NBD + Gamma-Gamma fitted on the "
        "history at the score cutoff, unevaluated"
    )
    return _Plan("none", (), (), (message,))


def _fold_data(frames: dict[str, pd.DataFrame], fold: Fold, settings) -> _FoldData:
    stacked = [frames[role] for role in fold.train_roles]
    seed, rows = settings.random_state, min(settings.backtest_max_rows, settings.max_train_rows)
    return _FoldData(
        number=fold.number,
        split="evaluate",
        fit_frame=stack_frames(stacked, rows, seed),
        btyd_frame=subsample(stacked[0], rows, seed),
        evaluate=frames[fold.evaluate_role],
    )


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
    fits = len(TASKS) * len(names) * len(plan.folds)
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


def _fit_and_evaluate(run: _Run, btyd_fits: dict, job: tuple[int, str, str]) -> _Evaluated:
    """Fit one model of one task on one fold's training rows and evaluate it on its cutoff."""
    index, task, name = job
    fold = run.plan.folds[index]
    started = time.perf_counter()
    target = TARGETS[task]
    spec = model_spec(name)
    sample = fold.fit_frame
    est = btyd_fits[index].with_task(task) if name == "btyd" else run.build(name, task)
    if name != "btyd":
        est.fit(sample, sample[target])
    # In-sample predictions serve the purchase threshold and the train split, which only the
    # latest fold reports (the earlier folds' would repeat it at the cost of a prediction each).
    train_split = fold.split != "in_sample" and fold.number == run.plan.folds[0].number
    needs_fitted = train_split or (task == "purchase" and not spec.fixed_threshold)
    fitted_pred = predict_task(est, task, sample) if needs_fitted else None
    threshold = None
    if task == "purchase":
        threshold = _purchase_threshold(name, sample[target], fitted_pred)
    rows: list[dict] = []
    if train_split:
        values = _evaluate(task, sample[target], fitted_pred, threshold)
        rows += _metric_rows(name, task, "train", values, fold.number, fold.cutoff)
    predicted = predict_task(est, task, fold.evaluate)
    values = _evaluate(task, fold.evaluate[target], predicted, threshold)
    rows += _metric_rows(name, task, fold.split, values, fold.number, fold.cutoff)
    run.progress.step(
        f"{task} {name} fold {fold.number} fitted and evaluated ({run.plan.mode})",
        len(sample),
        started,
    )
    fit_cut = fold.btyd_frame["as_of_date"].iloc[0]
    fitted = FittedModel(
        model_name=name,
        task=task,
        kind=spec.kind,
        fit_role="evaluation",
        estimator=est,
        train_cutoff=fit_cut,
        label_window_start=fit_cut,
        label_window_end=fit_cut + run.horizon,
        training_rows=len(sample),
        threshold=threshold,
        features=[] if spec.is_baseline else run.features,
    )
    score = values[SELECTION[task][0]]
    return _Evaluated(fitted, fold.number, rows, score, predicted)


def _fit_and_evaluate_all(run: _Run) -> list[_Evaluated]:
    """Every model of every task fitted and evaluated on every fold, side by side."""
    # One BG/NBD + Gamma-Gamma fit per fold serves both tasks (it does not read the labels).
    btyd_fits = {}
    if "btyd" in run.names:
        for index, fold in enumerate(run.plan.folds):
            btyd_fits[index] = run.build("btyd", "purchase").fit(fold.btyd_frame)
    jobs = [
        (index, task, name)
        for index in range(len(run.plan.folds))
        for task in TASKS
        for name in run.names
    ]
    # The slow fits first, so parallel threads share out the quick ones after them.
    queue = sorted(jobs, key=lambda job: not model_spec(job[2]).slow_fit)
    fit_one = functools.partial(_fit_and_evaluate, run, btyd_fits)
    return _side_by_side(fit_one, queue, run.settings)


@dataclass
class _Evaluation:
    """The backtests' outcome: the latest fold's fitted models (saved for the registry), metric
    rows of every fold, the published model per task, the published models' predictions on
    the latest fold, the calibration of the published models and run messages."""

    models: list[FittedModel]
    metric_rows: list[dict]
    published: dict[str, str]
    predictions: pd.DataFrame | None = None
    calibration: PublishedCalibration | None = None
    messages: list[str] = field(default_factory=list)


def _evaluation(run: _Run) -> _Evaluation:
    if not run.plan.folds:
        return _Evaluation(models=[], metric_rows=[], published={})
    done = _fit_and_evaluate_all(run)
    published: dict[str, str] = {}
    messages: list[str] = []
    for task in TASKS:
        scores = {name: [] for name in run.names}
        for e in done:
            if e.fitted.task == task:
                scores[e.fitted.model_name].append(e.score)
        published[task], message = select_published(task, scores, *SELECTION[task])
        messages += [message] if message else []
    oof = {(e.fitted.task, e.fitted.model_name, e.fold): e.predicted for e in done}
    outcomes = {fold.number: fold.evaluate for fold in run.plan.folds}
    season, season_messages = _season_ratios(run, published["spend"])
    calibration = calibrate_published(published, oof, outcomes, TARGETS, season)
    messages += season_messages
    latest = run.plan.folds[0]
    return _Evaluation(
        models=[e.fitted for e in done if e.fold == latest.number],
        metric_rows=[row for e in done for row in e.rows] + calibration.metric_rows,
        published=published,
        # The published models' own predictions on the latest fold, as model_metrics scores them.
        predictions=evaluation_table(
            latest.evaluate,
            oof[("purchase", published["purchase"], latest.number)],
            oof[("spend", published["spend"], latest.number)],
        ),
        calibration=calibration,
        messages=messages,
    )


def _season_reference(run: _Run, name: str, depth: int) -> float:
    """Actual / predicted spend of model ``name`` at the cutoff ``depth`` horizons back, fitted
    as the published model is for scoring (BG/NBD on that cutoff's histories, a supervised model
    on the cutoffs before it); NaN when the history cannot support it."""
    role = run.plan.depths.get(depth)
    if role is None or run.plan.usable.get(role) != "":
        return float("nan")
    evaluate = run.frames[role]
    rows = min(run.settings.backtest_max_rows, run.settings.max_train_rows)
    seed = run.settings.random_state
    if name == "btyd":
        est = run.build(name, "spend").fit(subsample(evaluate, rows, seed))
    else:
        backs = range(depth + 1, depth + run.settings.training_cutoffs + 1)
        roles = usable_roles(run.plan.depths, run.plan.usable, backs)
        if not roles:
            return float("nan")
        sample = stack_frames([run.frames[r] for r in roles], rows, seed)
        est = run.build(name, "spend").fit(sample, sample[TARGETS["spend"]])
    return spend_ratio(evaluate[TARGETS["spend"]], predict_task(est, "spend", evaluate))


def _season_ratios(run: _Run, name: str) -> tuple[dict[int, float] | None, list[str]]:
    """Each window's season reference ratio (0 = the score window, i = fold i) for the published
    spend model ``name``, where the history has one; None when the season calibration is off.
    A message when the score window has none."""
    if not run.settings.season_calibration or run.plan.mode != "out_of_time":
        return None, []
    references = season_references([f.number for f in run.plan.folds], run.settings.horizon_days)
    depths = sorted(set(references.values()))
    started = time.perf_counter()
    values = _side_by_side(functools.partial(_season_reference, run, name), depths, run.settings)
    by_depth = dict(zip(depths, values, strict=True))
    ratios = {w: by_depth[d] for w, d in references.items() if np.isfinite(by_depth[d])}
    if any(d in run.plan.depths for d in depths):
        run.progress.report(
            f"spend {name} fitted on the season references ({len(ratios)} of {len(references)} "
            f"windows have one): {time.perf_counter() - started:.1f}s"
        )
    if 0 in ratios:
        return ratios, []
    lag = season_lag(run.settings.horizon_days)
    role = run.plan.depths.get(lag)
    why = "no snapshot" if role is None else run.plan.usable.get(role) or "no usable fit"
    return ratios, [
        f"season calibration not possible: the cutoff a year before the score cutoff ({lag} "
        f"horizons back) has {why}; it needs about a year and {run.settings.horizon_days} days "
        "of order history, so spend predictions are not scaled by the season"
    ]


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
    """The published model of one task, refitted on the latest labelled cutoffs (stacked as
    in the backtests; a published BG/NBD is ``btyd_final``, the fit at T), calibrated as the
    backtests said."""
    started = time.perf_counter()
    name = evaluation.published[task]
    spec = model_spec(name)
    if name == "btyd":
        score = run.frames["score"]
        est = btyd_final.with_task(task)
        rows = min(len(score), run.settings.max_train_rows)
        cut, start, end = score["as_of_date"].iloc[0], None, None
    else:
        stacked = [run.frames[role] for role in run.plan.final_roles]
        sample = stack_frames(stacked, run.settings.max_train_rows, run.settings.random_state)
        est = run.build(name, task).fit(sample, sample[TARGETS[task]])
        cut, rows = stacked[0]["as_of_date"].iloc[0], len(sample)
        start, end = cut, cut + run.horizon
    run.progress.step(f"{task} {name} refitted for scoring", rows, started)
    threshold = next(
        (m.threshold for m in evaluation.models if m.model_name == name and m.task == task), None
    )
    if task == "purchase" and threshold is None:
        threshold = 0.5
    if evaluation.calibration is not None:
        est, threshold = evaluation.calibration.wrap(task, est, threshold)
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
    metrics = pd.DataFrame(evaluation.metric_rows, columns=METRIC_COLUMNS)
    cutoffs = {
        role: frame["as_of_date"].iloc[0] if len(frame) else None for role, frame in frames.items()
    }
    calibration = evaluation.calibration
    return TrainingResult(
        evaluation_mode=run.plan.mode,
        cutoffs=cutoffs,
        models=models,
        metrics=metrics,
        published=evaluation.published,
        features=run.features,
        messages=[*run.plan.messages, *evaluation.messages, *_convergence_messages(models)],
        evaluation_predictions=evaluation.predictions,
        reliability=None if calibration is None else calibration.reliability,
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
