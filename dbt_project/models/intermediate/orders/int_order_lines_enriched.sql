-- One row per clean order line with its order's customer, date and status and its product's
-- category and brand; spend_amount is the line's net amount when the order is completed, else 0.
-- The orders come from int_order_totals (one row per clean order) rather than the int_orders
-- view: a table is cheaper to join, and the models reading every order line then run one after
-- the other instead of side by side.

with

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

orders as (
    select * from {{ ref('int_order_totals') }}
),

products as (
    select * from {{ ref('stg_products') }}
),

final as (
    select
        {{ dbt.concat(['order_lines.order_id', "'-'", dbt.cast('order_lines.line_number', dbt.type_string())]) }}
            as order_line_id,
        order_lines.order_id,
        order_lines.line_number,
        orders.customer_id,
        orders.order_date,
        orders.channel,
        orders.status,
        order_lines.product_id,
        coalesce(products.category, 'unknown') as category,
        products.brand,
        order_lines.quantity,
        order_lines.unit_price,
        order_lines.discount,
        order_lines.gross_amount,
        order_lines.net_amount,
        cast(
            case when orders.status = 'completed' then order_lines.net_amount else 0 end as decimal(18, 2)
        ) as spend_amount
    from order_lines
    left join orders
        on order_lines.order_id = orders.order_id
    left join products
        on order_lines.product_id = products.product_id
)

select * from final
