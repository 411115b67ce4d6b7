-- One row per clean order with totals from its lines and spend_amount: net_amount for completed
-- orders, 0 for cancelled and returned orders.
-- A view: int_order_totals already holds these rows as a table, and publish materialises views
-- into the served file, so BI tools still read a table.
{{ config(materialized='view') }}

with

order_totals as (
    select * from {{ ref('int_order_totals') }}
),

final as (
    select
        {{ dbt.cast('order_id', dbt.type_string()) }} as order_id,
        {{ dbt.cast('customer_id', dbt.type_string()) }} as customer_id,
        cast(order_date as date) as order_date,
        {{ dbt.cast('ordered_at', dbt.type_timestamp()) }} as ordered_at,
        {{ dbt.cast('channel', dbt.type_string()) }} as channel,
        {{ dbt.cast('store', dbt.type_string()) }} as store,
        {{ dbt.cast('status', dbt.type_string()) }} as status,
        cast(line_count as bigint) as line_count,
        cast(items as bigint) as items,
        cast(gross_amount as decimal(18, 2)) as gross_amount,
        cast(discount_amount as decimal(18, 2)) as discount_amount,
        cast(net_amount as decimal(18, 2)) as net_amount,
        cast(spend_amount as decimal(18, 2)) as spend_amount
    from order_totals
)

select * from final
