-- Labels per cutoff and customer of customer_feature_snapshots: completed orders and spend in the
-- horizon_days after the cutoff (order_date in (as_of_date, as_of_date + horizon_days]).
-- is_horizon_complete is false when the data end before the horizon does: such labels count only
-- what has been observed and must not be used as training targets.

with

snapshots as (
    select * from {{ ref('customer_feature_snapshots') }}
),

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

orders as (
    select * from {{ ref('int_order_totals') }}
),

horizon_activity as (
    select
        cutoffs.as_of_date,
        orders.customer_id,
        sum(case when orders.status = 'completed' then 1 else 0 end) as orders_next_horizon,
        sum(orders.spend_amount) as spend_next_horizon
    from cutoffs
    inner join orders
        on
            cutoffs.as_of_date < orders.order_date
            and cutoffs.horizon_end_date >= orders.order_date
    group by cutoffs.as_of_date, orders.customer_id
),

final as (
    select
        snapshots.customer_id,
        snapshots.as_of_date,
        snapshots.cutoff_role,
        cutoffs.horizon_days,
        cutoffs.horizon_end_date,
        cutoffs.is_horizon_complete,
        cast(coalesce(horizon_activity.orders_next_horizon, 0) as bigint) as orders_next_horizon,
        cast(coalesce(horizon_activity.spend_next_horizon, 0) as decimal(18, 2)) as spend_next_horizon,
        coalesce(horizon_activity.orders_next_horizon, 0) > 0 as purchased_next_horizon
    from snapshots
    inner join cutoffs
        on snapshots.as_of_date = cutoffs.as_of_date
    left join horizon_activity
        on
            snapshots.as_of_date = horizon_activity.as_of_date
            and snapshots.customer_id = horizon_activity.customer_id
)

select * from final
