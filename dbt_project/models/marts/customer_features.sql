-- Customer features at the scoring cutoff (var as_of_date, default the last clean order date):
-- the `score` rows of customer_feature_snapshots, one row per customer, with every snapshot column
-- (a new feature column reaches both without being listed here).

with

snapshots as (
    select * from {{ ref('customer_feature_snapshots') }}
),

final as (
    select *  -- noqa: AM04
    from snapshots
    where cutoff_role = 'score'
)

select * from final  -- noqa: AM04
