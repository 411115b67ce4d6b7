-- Every customer with a completed order on or before a cutoff has a row in that cutoff's
-- snapshot, and no other customer has one.

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

expected as (
    select distinct
        cutoffs.as_of_date,
        orders.customer_id
    from cutoffs
    inner join orders
        on cutoffs.as_of_date >= orders.order_date
    where orders.status = 'completed'
),

missing as (
    select
        expected.as_of_date,
        expected.customer_id,
        'missing from customer_feature_snapshots' as problem
    from expected
    left join snapshots
        on
            expected.as_of_date = snapshots.as_of_date
            and expected.customer_id = snapshots.customer_id
    where snapshots.customer_id is null
),

unexpected as (
    select
        snapshots.as_of_date,
        snapshots.customer_id,
        'no completed order by the cutoff' as problem
    from snapshots
    left join expected
        on
            snapshots.as_of_date = expected.as_of_date
            and snapshots.customer_id = expected.customer_id
    where expected.customer_id is null
),

final as (
    select * from missing
    union all
    select * from unexpected
)

select * from final
