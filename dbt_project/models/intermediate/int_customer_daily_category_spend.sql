-- Spend per customer, day and product category over completed orders' lines (returned items on
-- negative-quantity lines net their category). Kept apart from the other features so category
-- features can be switched off when a dataset has no products.
{{ config(materialized='table') }}

with

order_lines as (
    select * from {{ ref('int_order_lines_enriched') }}
),

completed_lines as (
    select * from order_lines
    where status = 'completed'
),

final as (
    select
        customer_id,
        order_date,
        category,
        cast(count(*) as bigint) as line_count,
        cast(sum(spend_amount) as decimal(18, 2)) as spend_amount
    from completed_lines
    group by customer_id, order_date, category
)

select * from final
