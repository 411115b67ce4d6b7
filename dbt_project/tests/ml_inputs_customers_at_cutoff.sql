-- Refuses the build (before segmentation and prediction run) when no customer has a completed
-- order on or before the score cutoff: as_of_date before every order, or every order cancelled
-- or returned. Returns one row saying so, with the cutoff and the range of completed orders.
{%- set explain = (
    'No customer has a completed order on or before as_of_date (as_of_date before' ~ ' '
    ~ 'every order, or every order cancelled or returned): there is nobody to segment' ~ ' '
    ~ 'or predict for; check as_of_date and the order statuses'
) %}
{{ config(meta={'explain': explain}) }}

with

snapshots as (
    select * from {{ ref('customer_feature_snapshots') }}
),

cutoffs as (
    select * from {{ ref('int_feature_cutoffs') }}
),

orders as (
    select * from {{ ref('int_orders') }}
),

score_customers as (
    select count(*) as customers
    from snapshots
    where cutoff_role = 'score'
),

completed_orders as (
    select
        count(*) as completed_orders,
        min(order_date) as first_completed_order_date,
        max(order_date) as last_completed_order_date
    from orders
    where status = 'completed'
),

final as (
    select
        cutoffs.as_of_date,
        completed_orders.completed_orders,
        completed_orders.first_completed_order_date,
        completed_orders.last_completed_order_date,
        'no customer has a completed order on or before as_of_date' as problem
    from cutoffs
    cross join score_customers
    cross join completed_orders
    where cutoffs.cutoff_role = 'score' and score_customers.customers = 0
)

select * from final
