-- RFM scores are 1..5, each score holds a fifth of the cutoff's customers (within one), and
-- scores rise with the measure: a higher r_score never has more days since the last order, a
-- higher f_score never fewer orders, a higher m_score never less spend.

with

snapshots as (
    select * from {{ ref('customer_feature_snapshots') }}
),

scores as (
    select
        as_of_date,
        'recency' as measure,
        r_score as score,
        -1 * recency_days as measure_value
    from snapshots
    union all
    select
        as_of_date,
        'frequency' as measure,
        f_score as score,
        frequency as measure_value
    from snapshots
    union all
    select
        as_of_date,
        'monetary' as measure,
        m_score as score,
        monetary as measure_value
    from snapshots
),

score_groups as (
    select
        as_of_date,
        measure,
        score,
        count(*) as customers,
        min(measure_value) as min_value,
        max(measure_value) as max_value
    from scores
    group by as_of_date, measure, score
),

cutoff_sizes as (
    select
        as_of_date,
        count(*) as customers
    from snapshots
    group by as_of_date
),

ordered_groups as (
    select
        score_groups.*,
        cutoff_sizes.customers as cutoff_customers,
        lag(score_groups.max_value) over (
            partition by score_groups.as_of_date, score_groups.measure
            order by score_groups.score
        ) as previous_max_value
    from score_groups
    inner join cutoff_sizes
        on score_groups.as_of_date = cutoff_sizes.as_of_date
),

violations as (
    select * from ordered_groups
    where
        score not between 1 and 5
        or abs(customers - cutoff_customers / 5.0) > 1
        or min_value < previous_max_value
)

select * from violations
