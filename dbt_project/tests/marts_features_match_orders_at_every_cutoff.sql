-- Point in time, at every cutoff: the snapshot holds exactly the customers with a completed order
-- on or before the cutoff, their order-based features equal those recomputed straight from
-- fct_orders restricted to order_date <= as_of_date, and no feature date lies after the cutoff.
-- A feature that read an event after its cutoff makes the earlier snapshots disagree here.
-- One full outer join checks coverage both ways and the values, so the per-cutoff order totals
-- are computed once.

with

snapshots as (
    select * from {{ ref('customer_feature_snapshots') }}
),

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

completed_to_cutoff as (
    select
        cutoffs.as_of_date,
        orders.customer_id,
        min(orders.order_date) as first_order_date,
        max(orders.order_date) as last_order_date,
        count(*) as frequency,
        sum(orders.spend_amount) as monetary,
        sum(
            case
                when orders.order_date > {{ add_days('cutoffs.as_of_date', -90) }} then orders.spend_amount
                else 0
            end
        ) as spend_last_90d
    from cutoffs
    inner join orders
        on cutoffs.as_of_date >= orders.order_date
    where orders.status = 'completed'
    group by cutoffs.as_of_date, orders.customer_id
),

compared as (
    select
        coalesce(snapshots.as_of_date, completed_to_cutoff.as_of_date) as as_of_date,
        coalesce(snapshots.customer_id, completed_to_cutoff.customer_id) as customer_id,
        case
            when snapshots.customer_id is null then 'missing from customer_feature_snapshots'
            when completed_to_cutoff.customer_id is null then 'no completed order by the cutoff'
            when
                snapshots.frequency != completed_to_cutoff.frequency
                or snapshots.monetary != completed_to_cutoff.monetary
                or snapshots.spend_last_90d != completed_to_cutoff.spend_last_90d
                or snapshots.first_order_date != completed_to_cutoff.first_order_date
                or snapshots.last_order_date != completed_to_cutoff.last_order_date
                then 'features disagree with fct_orders'
            when
                snapshots.last_order_date > snapshots.as_of_date
                or snapshots.recency_days < 0
                or snapshots.tenure_days < snapshots.recency_days
                then 'feature dates after the cutoff'
        end as problem,
        snapshots.frequency,
        completed_to_cutoff.frequency as frequency_from_orders,
        snapshots.monetary,
        completed_to_cutoff.monetary as monetary_from_orders,
        snapshots.last_order_date,
        completed_to_cutoff.last_order_date as last_order_date_from_orders
    from snapshots
    full outer join completed_to_cutoff
        on
            snapshots.as_of_date = completed_to_cutoff.as_of_date
            and snapshots.customer_id = completed_to_cutoff.customer_id
),

final as (
    select * from compared
    where problem is not null
)

select * from final
