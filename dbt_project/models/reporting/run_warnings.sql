-- One row per thing an analyst must know before trusting this run's numbers: a cutoff far after
-- the last order, history too short for an out-of-time evaluation, fewer customers than
-- segments, no completed orders or no customers with features, a published prediction model
-- that is a baseline or that a baseline beats on the backtests, fewer than 3 backtest folds.
-- Each message names the numbers.
-- Empty when the run has nothing to warn about. The report shows these rows at the top.
{#- With k chosen from the data (segment_k null), the smallest k tried is the bar. #}
{%- set segment_k_var = 'segment_k' if var('segment_k') is not none else 'segment_k_min' %}
{%- set segment_k = var(segment_k_var) %}
{%- set text = dbt.type_string() %}

with

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

orders as (
    select * from {{ ref('int_orders') }}
),

customer_features as (
    select * from {{ ref('customer_features') }}
),

k_selection as (
    select * from {{ ref('segment_k_selection') }}
),

model_registry as (
    select * from {{ ref('model_registry') }}
),

backtest_summary as (
    select * from {{ ref('model_backtest_summary') }}
),

selection as (
    select * from backtest_summary
    where is_selection_metric and split = 'evaluate'
),

published_selection as (
    select * from selection
    where is_published
),

baseline_beats_published as (
    select
        published_selection.task,
        published_selection.metric,
        published_selection.model_name as published_model,
        published_selection.mean_value as published_mean,
        published_selection.folds,
        min(selection.model_name) as baseline_model
    from published_selection
    inner join selection
        on
            published_selection.task = selection.task
            and published_selection.model_name <> selection.model_name
    where
        published_selection.model_kind = 'candidate'
        and selection.model_kind = 'baseline'
        and (
            (selection.higher_is_better and published_selection.mean_value < selection.mean_value)
            or (
                not selection.higher_is_better
                and published_selection.mean_value > selection.mean_value
            )
        )
    group by
        published_selection.task, published_selection.metric, published_selection.model_name,
        published_selection.mean_value, published_selection.folds
),

backtest_folds as (
    select max(folds) as folds
    from selection
),

order_span as (
    select
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        sum(case when status = 'completed' then 1 else 0 end) as completed_orders
    from orders
),

customer_count as (
    select count(*) as customers
    from customer_features
),

selected_k as (
    select max(k) as segments
    from k_selection
    where is_selected
),

evaluation as (
    select max(evaluation_mode) as evaluation_mode
    from model_registry
),

run_facts as (
    select
        cutoffs.as_of_date,
        cutoffs.horizon_days,
        order_span.first_order_date,
        order_span.last_order_date,
        coalesce(order_span.completed_orders, 0) as completed_orders,
        {{ dbt.datediff('order_span.last_order_date', 'cutoffs.as_of_date', 'day') }}
            as days_after_last_order,
        {{ dbt.datediff('order_span.first_order_date', 'cutoffs.as_of_date', 'day') }}
            as history_days,
        customer_count.customers,
        selected_k.segments,
        evaluation.evaluation_mode,
        backtest_folds.folds as backtest_folds
    from cutoffs
    cross join order_span
    cross join customer_count
    cross join selected_k
    cross join evaluation
    cross join backtest_folds
    where cutoffs.cutoff_role = 'score'
),

warnings as (
    select
        'cutoff_after_last_order' as warning_code,
        'warning' as severity,
        {{ dbt.concat([
            "'as_of_date '", dbt.cast('as_of_date', text), "' is '",
            dbt.cast('days_after_last_order', text), "' days after the last order ('",
            dbt.cast('last_order_date', text),
            "'), more than horizon_days ('", dbt.cast('horizon_days', text),
            "'): every customer is inactive; segments and predictions describe a lapsed base'",
        ]) }} as message
    from run_facts
    where days_after_last_order > horizon_days

    union all

    select
        'predictions_not_out_of_time' as warning_code,
        'warning' as severity,
        {{ dbt.concat([
            "'order history before as_of_date '", dbt.cast('as_of_date', text), "' is '",
            dbt.cast('history_days', text), "' days (first order '",
            dbt.cast('first_order_date', text),
            "'): an out-of-time evaluation needs 2 x horizon_days = '",
            dbt.cast('2 * horizon_days', text), "' days and enough customers at its cutoffs; '",
            "case when evaluation_mode = 'in_sample' then "
            ~ "'predictions are fitted and evaluated in-sample, so model_metrics is optimistic' "
            ~ "else 'no supervised model was fitted: predictions are BG/NBD + Gamma-Gamma only, "
            ~ "unevaluated' end",
        ]) }} as message
    from run_facts
    where evaluation_mode in ('in_sample', 'none')

    union all

    select
        'few_backtest_folds' as warning_code,
        'warning' as severity,
        {{ dbt.concat([
            "'the history supports '", dbt.cast('backtest_folds', text),
            "' backtest fold(s), fewer than 3: the choice of the published prediction models '",
            "'rests on few evaluation windows (see model_backtest_summary)'",
        ]) }} as message
    from run_facts
    where evaluation_mode = 'out_of_time' and backtest_folds < 3

    union all

    select
        'baseline_published' as warning_code,
        'warning' as severity,
        {{ dbt.concat([
            "'the published '", 'task', "' model is the baseline '", 'model_name',
            "': its mean '", 'metric', "' over '", dbt.cast('folds', text),
            "' backtest fold(s) ('", dbt.cast('round(mean_value, 4)', text),
            "') is the best, or trails the best by less than one standard error of their '",
            "'fold-by-fold gap; no candidate beat it by more than the noise between folds'",
        ]) }} as message
    from published_selection
    where model_kind = 'baseline'

    union all

    select
        'baseline_beats_published' as warning_code,
        'warning' as severity,
        {{ dbt.concat([
            "'the baseline '", 'baseline_model', "' beats the published '", 'task', "' model '",
            'published_model', "' on mean '", 'metric', "' over '", dbt.cast('folds', text),
            "' backtest fold(s); the published model trails the best by less than one standard '",
            "'error of their fold-by-fold gap and was preferred as simpler'",
        ]) }} as message
    from baseline_beats_published

    union all

    select
        'fewer_customers_than_segments' as warning_code,
        'warning' as severity,
        {{ dbt.concat([
            dbt.cast('customers', text), "' customers with features, fewer than " ~ segment_k_var ~ " ('",
            "'" ~ segment_k ~ "'", "'): '", dbt.cast('segments', text),
            "' segments, one or few customers each; segment names and profiles mean little'",
        ]) }} as message
    from run_facts
    where customers < {{ segment_k }}

    union all

    select
        'no_completed_orders' as warning_code,
        'error' as severity,
        {{ dbt.concat([
            "'no completed order in the data: every order is cancelled or returned, '",
            "'so there is no revenue, no customer behaviour and nothing to segment or predict'",
        ]) }} as message
    from run_facts
    where completed_orders = 0

    union all

    select
        'no_customers_with_features' as warning_code,
        'error' as severity,
        {{ dbt.concat([
            "'no customer has a completed order on or before as_of_date '",
            dbt.cast('as_of_date', text), "' (orders run from '",
            dbt.cast('first_order_date', text), "' to '", dbt.cast('last_order_date', text),
            "')'",
        ]) }} as message
    from run_facts
    where customers = 0
),

final as (
    select
        cast(warning_code as {{ text }}) as warning_code,
        cast(severity as {{ text }}) as severity,
        cast(message as {{ text }}) as message
    from warnings
)

select * from final
