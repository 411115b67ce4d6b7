"""Unit tests of the prediction pipeline on synthetic snapshots built from simulated orders.

The snapshots are computed here with pandas from a seeded transaction log, strictly from orders
on or before each cutoff, so the tests control exactly what each cutoff can see.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier, DummyRegressor

from models_py.prediction.importance import feature_importance
from models_py.prediction.models import predict_task, resolve_features
from models_py.prediction.registry import (
    MODELS,
    ModelSpec,
    baseline_names,
    candidate_names,
    publishable_names,
)
from models_py.prediction.scoring import score_customers
from models_py.prediction.snapshots import snapshot_frames, subsample
from models_py.prediction.training import train_and_evaluate
from models_py.settings import PredictionSettings

H = 90
END = pd.Timestamp("2024-12-31")
CUTOFFS = {
    "train": END - pd.Timedelta(days=2 * H),
    "evaluate": END - pd.Timedelta(days=H),
    "score": END,
}
FEATURES = [
    "recency_days",
    "tenure_days",
    "frequency",
    "monetary",
    "aov",
    "spend_last_90d",
    "orders_last_90d",
    "share_*",
]


def simulate_orders(n_customers: int, seed: int, start: str = "2022-01-01") -> pd.DataFrame:
    """Customers with a gamma-distributed order rate and a geometric lifetime, two categories."""
    rng = np.random.default_rng(seed)
    start_ts = pd.Timestamp(start)
    span = (END - start_ts).days
    rows = []
    for i in range(n_customers):
        first = rng.integers(0, span - 30)
        rate = rng.gamma(0.9, 1 / 40)  # orders per day
        lifetime = rng.exponential(400)
        value = rng.gamma(2.0, 800)
        day = float(first)
        while day <= min(span, first + lifetime):
            rows.append(
                (
                    f"C{i:06d}",
                    start_ts + pd.Timedelta(days=int(day)),
                    round(value * rng.gamma(4, 0.25), 2),
                    rng.choice(["apparel", "home"]),
                )
            )
            day += rng.exponential(1 / max(rate, 1e-6))
    return pd.DataFrame(rows, columns=["customer_id", "order_date", "amount", "category"])


def features_at(orders: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    seen = orders[orders["order_date"] <= cutoff]
    recent = seen[seen["order_date"] > cutoff - pd.Timedelta(days=H)]
    g = seen.groupby("customer_id")
    out = pd.DataFrame(
        {
            "first_order_date": g["order_date"].min(),
            "last_order_date": g["order_date"].max(),
            "frequency": g.size(),
            "monetary": g["amount"].sum(),
        }
    )
    out["aov"] = out["monetary"] / out["frequency"]
    out["recency_days"] = (cutoff - out["last_order_date"]).dt.days
    out["tenure_days"] = (cutoff - out["first_order_date"]).dt.days
    out["spend_last_90d"] = recent.groupby("customer_id")["amount"].sum()
    out["orders_last_90d"] = recent.groupby("customer_id").size()
    share = seen.pivot_table(
        index="customer_id", columns="category", values="amount", aggfunc="sum", fill_value=0
    )
    for cat in share.columns:
        out[f"share_{cat}"] = share[cat] / out["monetary"]
    out = out.fillna({"spend_last_90d": 0.0, "orders_last_90d": 0})
    out["gender"] = np.where(out.index.str[-1].isin(list("02468")), "female", "male")
    out["as_of_date"] = cutoff
    return out.reset_index()


def labels_at(orders: pd.DataFrame, snapshot: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    window = orders[
        (orders["order_date"] > cutoff) & (orders["order_date"] <= cutoff + pd.Timedelta(days=H))
    ]
    g = window.groupby("customer_id")
    lab = pd.DataFrame({"customer_id": snapshot["customer_id"], "as_of_date": cutoff})
    lab["orders_next_horizon"] = lab["customer_id"].map(g.size()).fillna(0).astype(int)
    lab["spend_next_horizon"] = lab["customer_id"].map(g["amount"].sum()).fillna(0.0)
    lab["purchased_next_horizon"] = lab["orders_next_horizon"] > 0
    lab["horizon_days"] = H
    return lab


def snapshots(orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    feats, labs = [], []
    for role, cut in CUTOFFS.items():
        f = features_at(orders, cut)
        feats.append(f)
        if role != "score":
            labs.append(labels_at(orders, f, cut))
    return pd.concat(feats, ignore_index=True), pd.concat(labs, ignore_index=True)


def settings(**kw) -> PredictionSettings:
    base = dict(
        horizon_days=H,
        features=FEATURES,
        categorical_features=["gender"],
        hgb_max_iter=40,
        min_train_customers=100,
        importance_rows=500,
        importance_repeats=2,
    )
    base.update(kw)
    return PredictionSettings(**base)


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return simulate_orders(1200, seed=3)


@pytest.fixture(scope="module")
def result(orders):
    feats, labs = snapshots(orders)
    frames = snapshot_frames(feats, labs, CUTOFFS)
    return frames, train_and_evaluate(frames, settings())


def test_every_model_has_metrics_on_both_splits(result):
    _, res = result
    assert res.evaluation_mode == "out_of_time"
    got = res.metrics.groupby(["task", "split"])["model_name"].agg(set)
    expected = {*candidate_names(), *baseline_names()}
    for task in ("purchase", "spend"):
        for split in ("train", "evaluate"):
            assert got[(task, split)] == expected
    purchase = res.metrics[res.metrics["task"] == "purchase"]
    assert {
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "log_loss",
        "threshold",
        "top_decile_lift",
    } <= set(purchase["metric"])
    spend = res.metrics[res.metrics["task"] == "spend"]
    assert {"rmse", "mae", "r2", "total_predicted", "total_actual", "top_decile_lift"} <= set(
        spend["metric"]
    )


def test_published_model_is_best_on_the_evaluation_split(result):
    _, res = result
    ev = res.metrics[res.metrics["split"] == "evaluate"].set_index(
        ["task", "model_name", "metric"]
    )["value"]
    publishable = [m for m in publishable_names() if m in {"btyd", *candidate_names()}]
    auc = {m: ev[("purchase", m, "roc_auc")] for m in publishable}
    rmse = {m: ev[("spend", m, "rmse")] for m in publishable}
    assert res.published["purchase"] == max(auc, key=auc.get)
    assert res.published["spend"] == min(rmse, key=rmse.get)
    # The data has signal: the published models beat the naive baselines.
    assert auc[res.published["purchase"]] > ev[("purchase", "last_window", "roc_auc")]
    assert rmse[res.published["spend"]] < ev[("spend", "zero", "rmse")]
    assert rmse[res.published["spend"]] < ev[("spend", "last_window", "rmse")]


def test_final_models_are_fitted_on_the_latest_labelled_window(result):
    _, res = result
    finals = {(m.task, m.model_name): m for m in res.models if m.fit_role == "final"}
    for task in ("purchase", "spend"):
        m = finals[(task, res.published[task])]
        assert m.is_published
        if m.model_name != "btyd":
            assert m.train_cutoff == CUTOFFS["evaluate"]
            assert m.label_window_end == CUTOFFS["score"]
    evals = [m for m in res.models if m.fit_role == "evaluation"]
    assert {m.train_cutoff for m in evals} == {CUTOFFS["train"]}
    assert finals[("clv", "btyd")].train_cutoff == CUTOFFS["score"]


def test_training_ignores_everything_after_the_training_window(orders, result):
    """Rewriting orders after T-H (the end of the train labels) changes no evaluation-fit model."""
    frames, res = result
    later = orders["order_date"] > CUTOFFS["evaluate"]
    shifted = orders.copy()
    shifted.loc[later, "amount"] *= 3
    extra = shifted[later].assign(order_date=lambda d: d["order_date"] + pd.Timedelta(days=1))
    shifted = pd.concat([shifted, extra[extra["order_date"] <= END]], ignore_index=True)
    feats, labs = snapshots(shifted)
    frames2 = snapshot_frames(feats, labs, CUTOFFS)
    pd.testing.assert_frame_equal(frames["train"], frames2["train"])
    res2 = train_and_evaluate(frames2, settings())
    probe = frames["train"]
    for m1, m2 in zip(res.models, res2.models, strict=True):
        if m1.fit_role != "evaluation":
            continue
        np.testing.assert_allclose(
            predict_task(m1.estimator, m1.task, probe), predict_task(m2.estimator, m2.task, probe)
        )
    train_metrics = res.metrics[res.metrics["split"] == "train"].reset_index(drop=True)
    train_metrics2 = res2.metrics[res2.metrics["split"] == "train"].reset_index(drop=True)
    pd.testing.assert_frame_equal(train_metrics, train_metrics2)


def test_scores_every_customer_at_the_last_cutoff(result):
    frames, res = result
    final = {(m.task, m.model_name): m for m in res.models if m.fit_role == "final"}
    preds = score_customers(
        frames["score"],
        final[("purchase", res.published["purchase"])],
        final[("spend", res.published["spend"])],
        final[("clv", "btyd")].estimator,
        H,
    )
    assert len(preds) == len(frames["score"]) == preds["customer_id"].nunique()
    assert preds["p_purchase"].between(0, 1).all()
    assert preds["p_alive"].between(0, 1).all()
    assert (preds["predicted_spend"] >= 0).all()
    assert (preds["predicted_clv_12m"] >= 0).all()
    # More recent buyers are more likely alive, all else equal in aggregate.
    recent = frames["score"]["recency_days"] < 60
    assert (
        preds.loc[recent.to_numpy(), "p_alive"].mean()
        > preds.loc[(~recent).to_numpy(), "p_alive"].mean()
    )


def test_feature_importance_ranks_every_feature(result):
    frames, res = result
    evals = [m for m in res.models if m.fit_role == "evaluation"]
    imp = feature_importance(evals, frames["evaluate"], settings())
    for (_, _), group in imp.groupby(["model_name", "task"]):
        assert sorted(group["rank"]) == list(range(1, len(res.features) + 1))
    assert set(imp["model_name"]) == set(candidate_names())


def test_short_history_falls_back_to_in_sample(orders):
    young = orders[orders["order_date"] > CUTOFFS["train"] - pd.Timedelta(days=20)]
    feats, labs = snapshots(young)
    frames = snapshot_frames(feats, labs, CUTOFFS)
    res = train_and_evaluate(frames, settings())
    assert res.evaluation_mode == "in_sample"
    assert set(res.metrics["split"]) == {"in_sample"}
    assert any("too short" in msg for msg in res.messages)


def test_no_usable_labels_publishes_btyd_unevaluated(orders):
    young = orders[orders["order_date"] > CUTOFFS["evaluate"] - pd.Timedelta(days=10)]
    feats, labs = snapshots(young)
    frames = snapshot_frames(feats, labs, CUTOFFS)
    res = train_and_evaluate(frames, settings(min_train_customers=10_000))
    assert res.evaluation_mode == "none"
    assert res.metrics.empty
    assert res.published == {"purchase": "btyd", "spend": "btyd"}


def test_missing_label_row_names_the_customer(orders):
    feats, labs = snapshots(orders)
    dropped = labs.iloc[5]
    labs = labs.drop(index=labs.index[5])
    with pytest.raises(ValueError, match=dropped["customer_id"]):
        snapshot_frames(feats, labs, CUTOFFS)


def test_label_columns_cannot_be_features(orders):
    feats, labs = snapshots(orders)
    frames = snapshot_frames(feats, labs, CUTOFFS)
    frames["score"]["spend_next_horizon"] = 0.0
    with pytest.raises(ValueError, match="labels or keys"):
        train_and_evaluate(frames, settings(features=[*FEATURES, "spend_next_horizon"]))
    with pytest.raises(KeyError, match="no_such_feature"):
        train_and_evaluate(frames, settings(features=["no_such_feature"]))


def test_importance_shuffles_exactly_what_shuffling_the_raw_column_would(result):
    """The fast permutation importance shuffles a feature's preprocessed columns; that must equal
    preprocessing the frame with the raw column shuffled (imputation, scaling and one-hot work
    row by row), for numeric, missing-indicator and categorical features alike."""
    from models_py.prediction.importance import _feature_blocks

    frames, res = result
    frame = frames["evaluate"].copy()
    frame.loc[frame.index[::7], "aov"] = np.nan  # exercise the missing indicator
    model = next(
        m for m in res.models if m.model_name == "linear_model" and m.fit_role == "evaluation"
    )
    pipe = model.estimator
    blocks = _feature_blocks(pipe.named_steps["features"])
    assert set(blocks) == set(model.features)
    matrix = np.asarray(pipe[:-1].transform(frame[model.features]), dtype=float)
    perm = np.random.default_rng(0).permutation(len(frame))
    for feature in ("aov", "gender", "share_home"):
        shuffled = frame[model.features].copy()
        shuffled[feature] = shuffled[feature].to_numpy()[perm]
        expected = np.asarray(pipe[:-1].transform(shuffled), dtype=float)
        got = matrix.copy()
        got[:, blocks[feature]] = matrix[perm][:, blocks[feature]]
        np.testing.assert_allclose(got, expected)


def test_feature_patterns_expand_and_names_are_checked() -> None:
    columns = ["recency_days", "share_apparel", "share_food_court", "spend_next_horizon"]
    assert resolve_features(columns, ["recency_days", "share_*"]) == [
        "recency_days",
        "share_apparel",
        "share_food_court",
    ]
    # Without product categories there are no share_ columns: the pattern adds nothing.
    assert resolve_features(["recency_days"], ["recency_days", "share_*"]) == ["recency_days"]
    with pytest.raises(KeyError, match="frequency"):
        resolve_features(columns, ["frequency"])
    with pytest.raises(ValueError, match="spend_next_horizon"):
        resolve_features(columns, ["spend_*"], forbidden=["spend_next_horizon"])


def test_models_fit_on_one_seeded_sample_and_report_progress(orders):
    """Above max_train_rows every model learns from the same seeded sample, the train split is
    that sample, and each fit sends one progress line."""
    feats, labs = snapshots(orders)
    frames = snapshot_frames(feats, labs, CUTOFFS)
    lines: list[str] = []
    res = train_and_evaluate(frames, settings(max_train_rows=300), lines.append)
    evals = [m for m in res.models if m.fit_role == "evaluation"]
    assert len(frames["train"]) > 300
    assert {m.training_rows for m in evals} == {300}
    steps = len(evals) + 3  # then the final purchase, spend and CLV fits
    assert len(lines) == steps
    assert lines[0].startswith(f"[1/{steps}] ") and lines[-1].startswith(f"[{steps}/{steps}] ")
    sample = subsample(frames["train"], 300, settings().random_state)
    train = res.metrics[(res.metrics["split"] == "train") & (res.metrics["task"] == "spend")]
    totals = train[train["metric"] == "total_actual"]["value"]
    assert totals.to_numpy() == pytest.approx(sample["spend_next_horizon"].sum())


def test_fits_side_by_side_give_the_models_fitted_one_at_a_time(result):
    """n_jobs fits the purchase and spend models in parallel threads: the same models, metrics,
    choices and predictions as fitting them one after the other, in the same order."""
    frames, side_by_side = result
    assert settings().n_jobs > 1
    one_at_a_time = train_and_evaluate(frames, settings(n_jobs=1))
    assert [m.key for m in side_by_side.models] == [m.key for m in one_at_a_time.models]
    assert side_by_side.published == one_at_a_time.published
    pd.testing.assert_frame_equal(side_by_side.metrics, one_at_a_time.metrics)
    for parallel, serial in zip(side_by_side.models, one_at_a_time.models, strict=True):
        assert parallel.threshold == serial.threshold
        if parallel.task in ("purchase", "spend"):
            np.testing.assert_array_equal(
                predict_task(parallel.estimator, parallel.task, frames["score"]),
                predict_task(serial.estimator, serial.task, frames["score"]),
            )


def test_predictions_in_chunks_equal_predicting_every_row_at_once(result, monkeypatch):
    """predict_task scores PREDICT_CHUNK_ROWS customers at a time (to bound the dense copy the
    preprocessing makes): the predictions are those of one call on every row, in row order."""
    import models_py.prediction.models as prediction

    frames, res = result
    score = frames["score"]
    monkeypatch.setattr(prediction, "PREDICT_CHUNK_ROWS", 97)
    assert len(score) > 3 * 97
    for m in res.models:
        if m.task == "purchase":
            whole = np.asarray(m.estimator.predict_proba(score))[:, 1]
        elif m.task == "spend":
            whole = np.clip(np.asarray(m.estimator.predict(score), dtype=float), 0.0, None)
        else:
            continue
        np.testing.assert_allclose(predict_task(m.estimator, m.task, score), whole, rtol=1e-12)


def test_hist_gradient_boosting_predicts_from_a_column_major_matrix(result):
    """The gradient-boosting pipelines hand their estimator the preprocessed matrix in
    column-major order (its faster layout to predict from), and predict exactly what the
    row-major matrix gives."""
    frames, res = result
    score = frames["score"]
    boosted = [m for m in res.models if m.model_name == "hist_gradient_boosting"]
    assert {m.task for m in boosted} == {"purchase", "spend"}
    for m in boosted:
        matrix = m.estimator[:-1].transform(score)
        row_major = np.ascontiguousarray(matrix)
        assert matrix.flags.f_contiguous and not row_major.flags.f_contiguous
        estimator = m.estimator[-1]
        if m.task == "purchase":
            expected = estimator.predict_proba(row_major)
            got = m.estimator.predict_proba(score)
        else:
            expected, got = estimator.predict(row_major), m.estimator.predict(score)
        np.testing.assert_array_equal(got, expected)


def _mean_model(task: str, context):
    return DummyClassifier(strategy="prior") if task == "purchase" else DummyRegressor()


def test_a_candidate_added_to_the_registry_is_fitted_evaluated_and_published(orders, monkeypatch):
    """A new candidate is one registry entry: the pipeline fits, evaluates, ranks and publishes
    it with nothing else edited."""
    spec = ModelSpec(name="always_mean", is_baseline=False, build=_mean_model, publish_rank=5)
    monkeypatch.setitem(MODELS, spec.name, spec)
    feats, labs = snapshots(orders)
    frames = snapshot_frames(feats, labs, CUTOFFS)
    res = train_and_evaluate(frames, settings(candidates=("always_mean",), baselines=("zero",)))
    assert "always_mean" in PredictionSettings().candidates
    got = res.metrics.groupby(["task", "split"])["model_name"].agg(set)
    for task in ("purchase", "spend"):
        assert got[(task, "train")] == got[(task, "evaluate")] == {"always_mean", "zero"}
    # Spend: the new candidate beats the zero baseline. Purchase: both rank no one (ROC AUC
    # 0.5); zero is a floor, the last choice, so the candidate tied with it is published.
    assert res.published == {"purchase": "always_mean", "spend": "always_mean"}
    assert not any("baseline zero" in m for m in res.messages)
    finals = {(m.task, m.model_name): m for m in res.models if m.fit_role == "final"}
    assert finals[("spend", "always_mean")].kind == "candidate"
    assert finals[("spend", "always_mean")].features == res.features


@pytest.mark.parametrize(("rank", "published"), [(0.5, "linear_twin"), (1.5, "linear_model")])
def test_a_tie_in_the_selection_metric_goes_to_the_lower_publish_rank(
    orders, monkeypatch, rank, published
):
    """A twin of linear_model scores exactly as it does: its publish rank alone decides."""
    twin = replace(MODELS["linear_model"], name="linear_twin", publish_rank=rank)
    monkeypatch.setitem(MODELS, twin.name, twin)
    feats, labs = snapshots(orders)
    frames = snapshot_frames(feats, labs, CUTOFFS)
    chosen = settings(candidates=("linear_model", "linear_twin"), baselines=("zero",))
    res = train_and_evaluate(frames, chosen)
    assert res.published == {"purchase": published, "spend": published}
