-- Each model's metrics summarised over the backtest folds of model_metrics: folds, mean,
-- standard deviation, standard error (stddev / sqrt(folds)), worst and best fold. The published
-- model of each task is the best mean selection metric, or the simplest whose fold-by-fold gap
-- to it is within one standard error of that gap (models_py/prediction/backtests.py); the gaps
-- pair the fold values in model_metrics.

with

metrics as (
    select * from {{ ref('model_metrics') }}
),

fold_metrics as (
    select * from metrics
    where fold is not null and split in ('evaluate', 'in_sample')
),

per_model as (
    select
        run_id,
        task,
        model_name,
        model_kind,
        split,
        metric,
        is_published,
        is_selection_metric,
        higher_is_better,
        evaluation_mode,
        count(value) as folds,
        avg(value) as mean_value,
        stddev_samp(value) as stddev_value,
        min(value) as min_value,
        max(value) as max_value
    from fold_metrics
    group by
        run_id, task, model_name, model_kind, split, metric, is_published, is_selection_metric,
        higher_is_better, evaluation_mode
),

final as (
    select
        run_id,
        task,
        model_name,
        model_kind,
        split,
        metric,
        cast(folds as integer) as folds,
        mean_value,
        stddev_value,
        case
            when folds > 1 then stddev_value / sqrt(cast(folds as {{ type_double() }}))
        end as standard_error,
        min_value,
        max_value,
        is_published,
        is_selection_metric,
        higher_is_better,
        evaluation_mode
    from per_model
)

select * from final
