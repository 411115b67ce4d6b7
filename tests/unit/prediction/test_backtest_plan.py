"""Fold planning, stacking, the one-standard-error choice and the published-model warnings."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from models_py.prediction.backtests import (
    choose_model,
    complexity_order,
    cutoffs_by_depth,
    plan_folds,
    season_lag,
    season_references,
    stack_frames,
    summarise_folds,
    trailing_gap,
)
from models_py.prediction.registry import MODELS
from models_py.prediction.selection import select_published

T = pd.Timestamp("2024-12-31")
DEPTHS = {0: "score", 1: "evaluate", 2: "train", 3: "back_3", 4: "back_4", 5: "back_5"}


def test_cutoffs_are_placed_by_whole_horizons_before_the_score_cutoff():
    dates = {role: T - pd.Timedelta(days=91 * back) for back, role in DEPTHS.items()}
    dates["empty"] = None  # a cutoff without snapshot rows has no date and is left out
    assert cutoffs_by_depth(dates, 91) == DEPTHS
    with pytest.raises(ValueError, match=r"back_3 .* not a whole number of horizons"):
        cutoffs_by_depth({"score": T, "back_3": T - pd.Timedelta(days=100)}, 91)


def test_each_fold_trains_only_on_cutoffs_before_its_evaluation_cutoff():
    usable = {role: "" for role in DEPTHS.values()}
    plan = plan_folds(DEPTHS, usable, folds=3, stacked=2)
    assert [(f.number, f.evaluate_role, f.train_roles) for f in plan.folds] == [
        (1, "evaluate", ("train", "back_3")),
        (2, "train", ("back_3", "back_4")),
        (3, "back_3", ("back_4", "back_5")),
    ]
    assert plan.final_roles == ("evaluate", "train")
    assert plan.messages == ()


def test_folds_the_history_cannot_support_are_skipped_with_a_reason():
    usable = {"evaluate": "", "train": "", "back_3": "12 customers with an order (< 200)"}
    depths = {k: v for k, v in DEPTHS.items() if k <= 3}
    plan = plan_folds(depths, usable, folds=4, stacked=1)
    assert [f.number for f in plan.folds] == [1]
    assert plan.messages[0] == (
        "backtest fold 2 skipped: no usable training cutoff before it "
        "(3 horizons back: 12 customers with an order (< 200))"
    )
    assert "fold 3 skipped" in plan.messages[1] and "4 horizons back: no cutoff" in plan.messages[1]
    assert plan.messages[2] == "backtest fold 4 skipped: no snapshot at its evaluation cutoff"


def test_stacking_takes_an_equal_seeded_share_of_each_cutoff():
    big = pd.DataFrame({"cutoff": "a", "x": range(1000)})
    small = pd.DataFrame({"cutoff": "b", "x": range(100)})
    stacked = stack_frames([big, small], max_rows=400, random_state=1)
    assert stacked["cutoff"].value_counts().to_dict() == {"a": 300, "b": 100}
    assert stacked["cutoff"].tolist()[:300] == ["a"] * 300  # the frames keep their order
    again = stack_frames([big, small], max_rows=400, random_state=1)
    pd.testing.assert_frame_equal(stacked, again)
    assert len(stack_frames([big, small], max_rows=5000, random_state=1)) == 1100


def test_the_simplest_model_within_one_standard_error_of_the_best_wins():
    ranks = {name: spec.publish_rank for name, spec in MODELS.items()}
    names = ["linear_model", "hist_gradient_boosting", "zero", "last_window", "btyd"]
    simplest = complexity_order(names, ranks)
    assert simplest == ["zero", "last_window", "btyd", "linear_model", "hist_gradient_boosting"]
    # RMSE: boosting is best on the mean; linear trails it on two folds and leads on one, so
    # the fold-by-fold gap (mean 0.17, SE 0.60) is noise and the simpler model wins.
    scores = {
        "hist_gradient_boosting": [10.0, 12.0, 14.0],
        "linear_model": [9.0, 13.0, 14.5],
        "btyd": [14.0, 15.0, 16.0],
    }
    summary = summarise_folds(scores)
    assert summary.set_index("model_name").at["hist_gradient_boosting", "se"] == pytest.approx(
        np.std([10, 12, 14], ddof=1) / np.sqrt(3)
    )
    assert trailing_gap(scores["hist_gradient_boosting"], scores["linear_model"], "min") == (
        pytest.approx(1 / 6),
        pytest.approx(np.std([-1, 1, 0.5], ddof=1) / np.sqrt(3)),
    )
    assert choose_model(scores, "min", simplest) == ("linear_model", "hist_gradient_boosting")
    # Farther apart than the noise, the better model wins.
    scores["linear_model"] = [13.5, 14.0, 14.5]
    assert choose_model(scores, "min", simplest)[0] == "hist_gradient_boosting"


def test_a_model_that_trails_on_every_fold_is_not_noise_however_the_seasons_swing():
    # The folds' seasons move both models by far more than the gap between them: the spread
    # of the scores (SE 0.09) covers the 0.05 gap, the gap's own spread (SE 0.006) does not.
    scores = {
        "linear_model": [0.60, 0.75, 0.90],
        "hist_gradient_boosting": [0.66, 0.80, 0.94],
    }
    simplest = ["linear_model", "hist_gradient_boosting"]
    assert choose_model(scores, "max", simplest) == ("hist_gradient_boosting",) * 2
    # Folds a model could not be scored on are left out of the pairs.
    scores["linear_model"] = [float("nan"), 0.79, 0.95]
    assert trailing_gap(scores["hist_gradient_boosting"], scores["linear_model"], "max") == (
        pytest.approx(0.0, abs=1e-12),
        pytest.approx(np.std([0.01, -0.01], ddof=1) / np.sqrt(2)),
    )
    assert choose_model(scores, "max", simplest)[0] == "linear_model"


def test_a_winning_baseline_is_published_with_a_warning():
    scores = {
        "linear_model": [0.70, 0.71, 0.69],
        "last_window": [0.80, 0.82, 0.81],
        "zero": [0.5, 0.5, 0.5],
    }
    published, message = select_published("purchase", scores, "roc_auc", "max")
    assert published == "last_window"
    assert message.startswith("the published purchase model is the baseline last_window (0.81")
    assert "has the best mean roc_auc over 3 backtest fold(s)" in message
    # A candidate that wins clearly is published without a word.
    scores["linear_model"] = [0.90, 0.91, 0.92]
    assert select_published("purchase", scores, "roc_auc", "max") == ("linear_model", None)


def test_predicting_nothing_must_beat_the_models_not_come_within_noise_of_them():
    # Two folds of different seasons: zero trails on one and leads on the other, within the
    # noise of its gap to the best; the tree trails on both, so boosting is published.
    scores = {
        "hist_gradient_boosting": [33_900.0, 40_000.0],
        "decision_tree": [34_300.0, 40_700.0],
        "zero": [43_600.0, 33_700.0],
        "btyd": [35_500.0, 55_700.0],
    }
    assert select_published("spend", scores, "rmse", "min") == ("hist_gradient_boosting", None)
    # When it is the best by more than the noise, it is published, with the baseline warning.
    scores["zero"] = [20_000.0, 21_000.0]
    published, message = select_published("spend", scores, "rmse", "min")
    assert published == "zero" and message.startswith("the published spend model is the baseline")
    # Within noise of a better model, the model is published and zero's lead is a warning.
    scores["zero"] = [33_000.0, 40_000.0]
    published, message = select_published("spend", scores, "rmse", "min")
    assert published == "hist_gradient_boosting"
    assert message.startswith("the baseline zero (3.65e+04")


def test_nans_and_missing_folds_do_not_count():
    summary = summarise_folds({"a": [1.0, float("nan"), 3.0], "b": []}).set_index("model_name")
    assert summary.at["a", "folds"] == 2 and summary.at["a", "mean"] == 2.0
    assert summary.at["b", "folds"] == 0
    assert choose_model({"b": []}, "max", ["b"]) == (None, None)


def test_a_candidate_without_a_publish_rank_is_compared_but_never_published(monkeypatch):
    spec = dataclasses.replace(MODELS["linear_model"], name="probe", publish_rank=None)
    monkeypatch.setitem(MODELS, "probe", spec)
    scores = {"probe": [0.95, 0.96, 0.97], "linear_model": [0.80, 0.81, 0.82]}
    assert select_published("purchase", scores, "roc_auc", "max") == ("linear_model", None)


def test_the_season_reference_is_a_year_of_horizons_deeper():
    assert [season_lag(h) for h in (91, 90, 30, 365, 1000)] == [4, 4, 12, 1, 1]
    # The score window (0) and each fold look a year back: with H = 91 exactly 364 days.
    assert season_references([1, 2, 3], 91) == {0: 4, 1: 5, 2: 6, 3: 7}
    assert season_references([], 30) == {0: 12}
