-- Labels at the scoring cutoff: the `score` rows of customer_label_snapshots, one row per customer
-- of customer_features. With the default cutoff (the last order date) the horizon lies after the
-- data, so is_horizon_complete is false and the labels are zero until new data arrive.

with

label_snapshots as (
    select * from {{ ref('customer_label_snapshots') }}
),

final as (
    select
        customer_id,
        as_of_date,
        cutoff_role,
        horizon_days,
        horizon_end_date,
        is_horizon_complete,
        orders_next_horizon,
        spend_next_horizon,
        purchased_next_horizon
    from label_snapshots
    where cutoff_role = 'score'
)

select * from final
