-- Refuses the build (before segmentation and prediction run) when the order history up to the
-- score cutoff is shorter than horizon_days: predicting a horizon from less history than the
-- horizon itself gives numbers without meaning (recency and tenure 0 for everyone, CLVs from a
-- model with nothing to fit). Returns one row with the cutoff, the first order and the days.
{%- set explain = (
    'The order history before as_of_date is shorter than horizon_days: predictions' ~ ' '
    ~ 'over the horizon would have nothing to learn from; give more history or a' ~ ' '
    ~ 'shorter horizon_days'
) %}
{{ config(meta={'explain': explain}) }}

with

snapshots as (
    select * from {{ ref('customer_feature_snapshots') }}
),

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

history as (
    select min(first_order_date) as first_order_date
    from snapshots
    where cutoff_role = 'score'
),

spans as (
    select
        cutoffs.as_of_date,
        cutoffs.horizon_days,
        history.first_order_date,
        {{ dbt.datediff('history.first_order_date', 'cutoffs.as_of_date', 'day') }}
            as history_days
    from cutoffs
    cross join history
    where cutoffs.cutoff_role = 'score'
),

final as (
    select
        as_of_date,
        horizon_days,
        first_order_date,
        history_days,
        'order history before as_of_date is shorter than horizon_days' as problem
    from spans
    where history_days < horizon_days
)

select * from final
