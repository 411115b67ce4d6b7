-- Shift the cutoff and compare: between two consecutive cutoffs (H days apart), each customer's
-- frequency and monetary grow by exactly the completed orders and spend dated in between, which
-- are also the earlier snapshot's labels. A customer new in the later snapshot had no completed
-- order by the earlier cutoff.

with

snapshots as (
    select * from {{ ref('customer_feature_snapshots') }}
),

label_snapshots as (
    select * from {{ ref('customer_label_snapshots') }}
),

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

cutoff_pairs as (
    select
        earlier.as_of_date as earlier_date,
        later.as_of_date as later_date
    from cutoffs as earlier
    inner join cutoffs as later
        on earlier.horizon_end_date = later.as_of_date
),

between_cutoffs as (
    select
        cutoff_pairs.earlier_date,
        orders.customer_id,
        count(*) as orders_between,
        sum(orders.spend_amount) as spend_between
    from cutoff_pairs
    inner join orders
        on
            cutoff_pairs.earlier_date < orders.order_date
            and cutoff_pairs.later_date >= orders.order_date
    where orders.status = 'completed'
    group by cutoff_pairs.earlier_date, orders.customer_id
),

compared as (
    select
        cutoff_pairs.earlier_date,
        later.customer_id,
        earlier.frequency as earlier_frequency,
        later.frequency as later_frequency,
        earlier.monetary as earlier_monetary,
        later.monetary as later_monetary,
        coalesce(between_cutoffs.orders_between, 0) as orders_between,
        coalesce(between_cutoffs.spend_between, 0) as spend_between,
        labels.orders_next_horizon,
        labels.spend_next_horizon
    from cutoff_pairs
    inner join snapshots as later
        on cutoff_pairs.later_date = later.as_of_date
    left join snapshots as earlier
        on
            cutoff_pairs.earlier_date = earlier.as_of_date
            and later.customer_id = earlier.customer_id
    left join label_snapshots as labels
        on
            cutoff_pairs.earlier_date = labels.as_of_date
            and later.customer_id = labels.customer_id
    left join between_cutoffs
        on
            cutoff_pairs.earlier_date = between_cutoffs.earlier_date
            and later.customer_id = between_cutoffs.customer_id
),

violations as (
    select * from compared
    where
        later_frequency - coalesce(earlier_frequency, 0) != orders_between
        or later_monetary - coalesce(earlier_monetary, 0) != spend_between
        or (earlier_frequency is not null and orders_next_horizon != orders_between)
        or (earlier_frequency is not null and spend_next_horizon != spend_between)
        or (earlier_frequency is null and orders_next_horizon is not null)
)

select * from violations
